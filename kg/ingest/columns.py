"""Read a CSV file with a one-row header into records addressed by column name, counting as it goes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataSyntaxError
from kg.ingest.report import WHITE_SPACE, ImportReport, control_character
from kg.ingest.tables import header_records, records, unique_names


@dataclass(frozen=True)
class Row:
    """One data row: its line in the file and its cells by (unique) column name."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


def rows(path: Path, report: ImportReport, required: tuple[str, ...], id_column: str | None = None) -> Iterator[Row]:
    """The data rows of ``path``; broken rows and rows with control characters are rejected, empty ones counted.

    ``id_column`` names the column whose text names a rejected row in the report.

    A repeated header name is made unique (``AI System (2)``) and reported. A missing required column
    raises DataSyntaxError: no row of such a file can be read.
    """
    found = header_records(path, 1)
    if not found or found[0].broken:
        raise DataSyntaxError(path, 1, "no readable header row")
    names, repeated = unique_names([name.strip() for name in found[0].cells])
    for name in repeated:
        report.warn(
            found[0].line,
            name,
            f"header {name!r} appears more than once: the copies are read as {name!r}, {name + ' (2)'!r}, ...",
        )
    missing = [name for name in required if name not in names]
    if missing:
        raise DataSyntaxError(path, found[0].line, f"missing column(s): {', '.join(missing)}")
    lines_used = 1
    for record in records(path, len(names), start=found[0].line - 1 + lines_used):
        report.rows_read += 1
        if record.broken:
            report.reject(record.line, None, record.broken)
        elif record.is_empty:
            report.empty += 1
            report.warn(record.line, None, "empty row skipped")
        elif len(record.cells) != len(names):
            report.reject(record.line, None, f"row has {len(record.cells)} cells, the header has {len(names)}")
        else:
            cells = dict(zip(names, record.cells, strict=True))
            damaged = control_character(cells)
            if damaged:
                named = cells.get(id_column, "").strip() if id_column else ""
                report.reject(record.line, damaged[0], damaged[1], named or None)
                continue
            for text in cells.values():
                if text.strip() and text != text.strip():
                    report.repair(WHITE_SPACE, record.line, cells.get(id_column, "").strip() if id_column else None)
            yield Row(record.line, cells)
