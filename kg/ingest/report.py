"""What an import did: rows read, imported, rejected (file, row, field, reason) and warnings."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import KgError
from kg.ingest.triples import TripleSet
from kg.namespaces import BASE


@dataclass(frozen=True)
class Problem:
    """One rejected row or one warning: where it is (file, row = line in the file, field) and why."""

    file: str
    row: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        column = f" [{self.field}]" if self.field else ""
        return f"{where}{column}: {self.reason}"


class RowRejected(Exception):
    """Raised while converting a row: the row is reported as rejected, nothing of it is kept."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass
class ImportReport:
    """Counts and problems of one source file: ``rows_read == imported + len(rejected) + empty``."""

    source: str
    file: str
    graph: str
    rows_read: int = 0
    imported: int = 0
    empty: int = 0
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reject(self, row: int | None, field_name: str | None, reason: str) -> None:
        """Record a rejected row."""
        self.rejected.append(Problem(self.file, row, field_name, reason))

    def warn(self, row: int | None, field_name: str | None, reason: str) -> None:
        """Record a warning: the row was imported, but something in it needs a person's attention."""
        self.warnings.append(Problem(self.file, row, field_name, reason))


@dataclass(frozen=True)
class ImportResult:
    """An importer's output: the triples of one named graph (``graph.identifier``) and its report."""

    graph: TripleSet
    report: ImportReport


class RowsRejected(KgError):
    """A strict build found rejected rows: nothing was written."""

    def __init__(self, rejected: list[Problem]) -> None:
        self.rejected = rejected
        super().__init__(f"{len(rejected)} row(s) rejected (a strict build accepts none)")


def summary_table(reports: list[ImportReport]) -> str:
    """One line per source: rows read, imported, rejected, empty, warnings, and the graph it went into."""
    header = ("source", "rows read", "imported", "rejected", "empty", "warnings", "graph")
    rows = [header] + [
        (
            r.source,
            str(r.rows_read),
            str(r.imported),
            str(len(r.rejected)),
            str(r.empty),
            str(len(r.warnings)),
            r.graph.removeprefix(BASE),
        )
        for r in reports
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i in (0, 6) else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )
