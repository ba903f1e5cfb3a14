"""The few errors the library raises, each with a message meant for the person who has to act on it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.validation import ValidationReport


class KgError(Exception):
    """Base of every error the library raises on purpose."""


class DataSyntaxError(KgError):
    """A data file could not be parsed; says which file and line."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {reason}")


class InvalidData(KgError):
    """The data does not conform to the shapes; carries the full report."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        super().__init__(f"the data does not conform to the shapes: {len(report.results)} violation(s)")


class QueryError(KgError):
    """A SPARQL query is malformed, unknown or not allowed."""


class NotFound(KgError):
    """A store, example query or resource that was asked for does not exist."""


class StoreError(KgError):
    """The triple store could not be opened, read or written."""


class SearchTimeout(KgError):
    """A full-text search ran past its deadline and was stopped."""
