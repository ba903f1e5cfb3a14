"""Answers to repeated jobs, kept in memory: the data only changes on a build, so a key names the build.

An LRU of answers bounded in bytes (each answer's size as it came from the worker); one answer may take at most
a sixteenth of the room, so a few large results cannot push out many small ones.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable


class ResultCache:
    """Least-recently-used answers, bounded by their total size in bytes.

    >>> cache = ResultCache(64)
    >>> cache.put("a", ("text/csv", b"x"), 1)
    >>> cache.get("a"), cache.get("b")
    (('text/csv', b'x'), None)
    """

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()

    def get(self, key: Hashable) -> object | None:
        """The cached answer for ``key``, if any."""
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry[0]

    def put(self, key: Hashable, value: object, size: int) -> None:
        """Keep an answer of ``size`` bytes (unless it is too large to be worth its room)."""
        if size > self.capacity // 16 or key in self._entries:
            return
        self._entries[key] = (value, size)
        self.size += size
        while self.size > self.capacity:
            _, (_, dropped) = self._entries.popitem(last=False)
            self.size -= dropped
