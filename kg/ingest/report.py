"""What an import did: rows read, imported, rejected (file, row, field, reason), repairs made, and warnings."""

from __future__ import annotations

import re
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
    record: str | None = None
    """The row's own ID as the source wrote it, when it has one."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}" if self.row else self.file
        column = f" [{self.field}]" if self.field else ""
        named = f" {self.record}" if self.record and not self.reason.startswith(self.record) else ""
        return f"{where}{column}{named}: {self.reason}"


SPLIT_JURISDICTION = "jurisdiction cell read as several jurisdictions (split on its commas)"
DRIFT_CURATED = "label read as another label of a concept (data/concepts/label-drift.csv)"
DRIFT_GUESSED = "label taken as another label of the concept with its slug (not yet in label-drift.csv)"
WHITE_SPACE = "cell's white space trimmed or collapsed (the cell is kept as written)"
REPAIRS = (SPLIT_JURISDICTION, DRIFT_CURATED, DRIFT_GUESSED, WHITE_SPACE)
"""Every kind of repair an importer makes; docs/repairs.md describes each."""
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(cells: dict[str, str]) -> tuple[str, str] | None:
    r"""The first cell (column, why) holding a control character other than tab, line feed and carriage return.

    >>> control_character({"title": "ok", "deployer": "Acme" + chr(0)})[0]
    'deployer'
    """
    for column, text in cells.items():
        found = CONTROL.search(text)
        if found:
            code = f"U+{ord(found.group()):04X}"
            return column, f"control character {code} at position {found.start() + 1} of {text!r}: the file is damaged, fix the cell"
    return None


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
    incidents: int | None = None
    """Distinct incidents the file gives (rows with one ID are one incident); None for files of other things."""
    cells: int = 0
    """Cells kept as written on their records (kg:cell)."""
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    repairs: dict[str, list[str]] = field(default_factory=dict)
    """Kind of repair -> where each was made ("line 12 AIAAIC0426"), in file order."""
    matches: dict[str, int] = field(default_factory=dict)
    """How names were matched to agent nodes (alias rows, AIID slugs, spellings kept apart): kind -> count."""

    def reject(self, row: int | None, field_name: str | None, reason: str, record: str | None = None) -> None:
        """Record a rejected row."""
        self.rejected.append(Problem(self.file, row, field_name, reason, record))

    def repair(self, kind: str, row: int | None, record: str | None = None) -> None:
        """Count one repair of ``kind`` (a sentence from REPAIRS) made on the row at line ``row``."""
        where = " ".join(part for part in (f"line {row}" if row else "", record or "") if part)
        self.repairs.setdefault(kind, []).append(where)

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
    header = ("source", "rows read", "imported", "rejected", "empty", "incidents", "cells kept", "warnings", "graph")
    rows = [header] + [
        (
            r.source,
            str(r.rows_read),
            str(r.imported),
            str(len(r.rejected)),
            str(r.empty),
            "" if r.incidents is None else str(r.incidents),
            str(r.cells),
            str(len(r.warnings)),
            r.graph.removeprefix(BASE),
        )
        for r in reports
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i in (0, len(header) - 1) else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    )


def repair_lines(reports: list[ImportReport], examples: int = 5) -> list[str]:
    """One line per source and kind of repair with its count and the first rows it was made on; then name matches."""
    lines = []
    for r in reports:
        for kind, where in r.repairs.items():
            shown = ", ".join(w for w in where[:examples] if w)
            more = f", … ({len(where) - examples} more)" if len(where) > examples else ""
            lines.append(f"repaired: {r.source}: {kind}: {len(where)}" + (f" ({shown}{more})" if shown else ""))
        for kind, count in r.matches.items():
            lines.append(f"names: {r.source}: {kind}: {count}")
    return lines
