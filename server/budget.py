"""Per-client budgets of query time (the Wikidata Query Service model): a token bucket of seconds per client.

Each client (its IP address, see :mod:`server.client_address`) earns ``rate`` seconds of query time per minute up to ``burst``;
the time its queries take in the workers is spent from the bucket. An empty bucket means 429 with a
Retry-After that says when it holds time again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from server.errors import HttpRefusal, OverBudget

MAX_CLIENTS = 10_000
Client = str
"""A client as budgets know it: its IP address (see :mod:`server.client_address`)."""


class TooManyQueries(HttpRefusal):
    """The client already has as many queries running or queued as it may (429: it is this client, not the server)."""

    status = 429
    code = "too-many-queries"


@dataclass
class _Bucket:
    seconds: float
    updated: float


class Budget:
    """Token buckets of query seconds keyed by client."""

    def __init__(self, rate_per_minute: float, burst: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_minute / 60.0
        self.burst = burst
        self.clock = clock
        self._buckets: dict[Client, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def _bucket(self, client: Client) -> _Bucket:
        now = self.clock()
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= MAX_CLIENTS:
                self._forget_full(now)
            bucket = self._buckets[client] = _Bucket(self.burst, now)
        bucket.seconds = min(self.burst, bucket.seconds + (now - bucket.updated) * self.rate)
        bucket.updated = now
        return bucket

    def _forget_full(self, now: float) -> None:
        """Drop clients whose bucket has refilled: they are indistinguishable from new ones."""
        for client, bucket in list(self._buckets.items()):
            if bucket.seconds + (now - bucket.updated) * self.rate >= self.burst:
                del self._buckets[client]

    def check(self, client: Client) -> None:
        """Raise OverBudget (with the seconds to wait) if ``client`` has no query time left.

        >>> clock = iter([0.0, 0.0, 1.0]).__next__
        >>> budget = Budget(60, 2, clock)
        >>> budget.spend("127.0.0.1", 3)
        >>> budget.check("127.0.0.1")
        Traceback (most recent call last):
        server.refusals.OverBudget: this client has used its query time ...
        """
        if not self.enabled:
            return
        bucket = self._bucket(client)
        if bucket.seconds <= 0:
            wait = -bucket.seconds / self.rate + 1
            raise OverBudget(
                f"this client has used its query time ({self.rate * 60:g} s per minute, bursts of {self.burst:g} s): "
                f"wait {wait:.0f} s",
                retry_after=wait,
            )

    def spend(self, client: Client, seconds: float) -> None:
        """Take ``seconds`` of query time from ``client``'s bucket (it may go below zero)."""
        if self.enabled:
            self._bucket(client).seconds -= seconds


class InFlight:
    """How many queries each client has running or queued; refuses one over ``limit`` (0: no limit).

    >>> flights = InFlight(1)
    >>> flights.enter("127.0.0.1")
    >>> flights.enter("127.0.0.1")
    Traceback (most recent call last):
    server.budget.TooManyQueries: this client already has 1 queries running or waiting: ...
    >>> flights.leave("127.0.0.1"); flights.enter("127.0.0.1")
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[Client, int] = {}

    def enter(self, client: Client) -> None:
        """Count one more query for ``client``, or raise TooManyQueries (with Retry-After) when it has ``limit``."""
        count = self._counts.get(client, 0)
        if self.limit and count >= self.limit:
            raise TooManyQueries(
                f"this client already has {count} queries running or waiting: wait for their answers before sending "
                "more (or retry in a second)",
                retry_after=1,
            )
        self._counts[client] = count + 1

    def leave(self, client: Client) -> None:
        """One query of ``client`` has finished."""
        count = self._counts.pop(client, 0) - 1
        if count > 0:
            self._counts[client] = count
