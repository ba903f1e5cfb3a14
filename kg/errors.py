"""The few errors the library raises, each with a message meant for the person who has to act on it.

Every error pickles whole (class, message and attributes), so a query worker can send the exception itself
to the server process, which translates it once (server/errors.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol


def _rebuilt(cls: type[KgError], args: tuple[Any, ...], state: dict[str, Any]) -> KgError:
    """An error of ``cls`` with the exception arguments and attributes it was pickled with (no ``__init__`` call)."""
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class KgError(Exception):
    """Base of every error the library raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuilt, (type(self), self.args, self.__dict__)


class _Report(Protocol):
    results: Sequence[object]


class DataSyntaxError(KgError):
    """A data file could not be parsed; says which file and line."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {reason}")


class InvalidData(KgError):
    """The data does not conform to the shapes; carries the full report (a kg.validation.ValidationReport)."""

    def __init__(self, report: _Report) -> None:
        self.report: Any = report
        super().__init__(f"the data does not conform to the shapes: {len(report.results)} violation(s)")


class QueryError(KgError):
    """A SPARQL query is malformed, unknown or not allowed (the message carries the parser's position)."""


class FetchRefused(QueryError):
    """The query would make the server fetch a URL (SERVICE) that the allow-list does not name."""


class UpdateRefused(QueryError):
    """An update sent where only queries are answered."""


class ResultTooLarge(KgError):
    """A result is over the row or byte cap: refused whole, never cut silently."""


class Unrepresentable(KgError):
    """The result is fine, but the format asked for cannot carry it (a control character in XML, say)."""


class NotFound(KgError):
    """A store, example query or resource that was asked for does not exist."""


class MissingModel(KgError):
    """A model a command needs (the linker's sentence encoder) is not installed; the message says how to get it."""


class StoreError(KgError):
    """The triple store could not be opened, read or written."""


class SearchTimeout(KgError):
    """A full-text search ran past its deadline and was stopped."""


class InvalidSearch(QueryError):
    """A search asked for something out of bounds; ``field`` names the part of the request (text, filters, ...)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"search {field}: {message}")
