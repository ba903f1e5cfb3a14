"""Read CSV files row by row with the line each row starts on, recovering from broken quoting.

A quote left open swallows the lines after it. The reader notices (the record then spans several lines
with the wrong number of cells, or the file ends inside the quote), reports that one line as broken and
starts again on the next line, so one bad row never takes the rest of the file with it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataSyntaxError


@dataclass(frozen=True)
class Record:
    """One CSV record: the 1-based line it starts on, its cells, or why it could not be read."""

    line: int
    cells: list[str]
    broken: str | None = None

    @property
    def is_empty(self) -> bool:
        return self.broken is None and not any(cell.strip() for cell in self.cells)


def read_lines(path: Path) -> list[str]:
    """The file's physical lines with their line endings (UTF-8, an optional BOM dropped)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return handle.readlines()
    except UnicodeDecodeError as error:
        raise DataSyntaxError(path, None, f"not UTF-8 text: {error}") from error
    except OSError as error:
        raise DataSyntaxError(path, None, f"cannot read: {error}") from error


def _parse_one(lines: list[str], start: int) -> tuple[list[str], int]:
    """Parse the record starting at ``lines[start]``; returns its cells and how many lines it used."""
    used = 0

    def feed() -> Iterator[str]:
        nonlocal used
        for line in lines[start:]:
            used += 1
            yield line

    reader = csv.reader(feed(), strict=True)
    cells = next(reader)
    return cells, used


def records(path: Path, width: int | None = None, start: int = 0) -> Iterator[Record]:
    """Every record of ``path`` from physical line index ``start``.

    ``width`` is the number of cells a record must have; a multi-line record of another width means
    a quote was left open, and the record's first line is reported as broken.
    """
    lines = read_lines(path)
    index = start
    while index < len(lines):
        try:
            cells, used = _parse_one(lines, index)
        except csv.Error as error:
            yield Record(
                index + 1, [], f"broken quoting: a quoted cell opened on this line is not closed (csv: {error})"
            )
            index += 1
            continue
        except StopIteration:
            return
        if used > 1 and width is not None and len(cells) != width:
            yield Record(
                index + 1,
                [],
                f"broken quoting: a quoted cell opened on this line runs over {used} lines "
                f"and leaves {len(cells)} cells instead of {width}",
            )
            index += 1
            continue
        yield Record(index + 1, cells)
        index += used


def header_records(path: Path, count: int) -> list[Record]:
    """The first ``count`` records of a file (for header detection)."""
    found = []
    for record in records(path):
        found.append(record)
        if len(found) == count:
            break
    return found


def unique_names(names: list[str]) -> tuple[list[str], list[str]]:
    """Header names made unique (a repeated name gets `` (2)``); also returns the names that repeated.

    >>> unique_names(["Incident ID", "AI System", "AI System"])
    (['Incident ID', 'AI System', 'AI System (2)'], ['AI System'])
    """
    seen: dict[str, int] = {}
    result, repeated = [], []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            repeated.append(name)
            result.append(f"{name} ({seen[name]})")
        else:
            result.append(name)
    return result, repeated


def split_values(cell: str, separator: str = ";") -> list[str]:
    """The values of a multi-valued cell, stripped, empties and unknown markers (``--``) dropped.

    >>> split_values("Argent; Metropolitan Police Service (MPS)")
    ['Argent', 'Metropolitan Police Service (MPS)']
    >>> split_values("--")
    []
    """
    values = (value.strip() for value in cell.split(separator))
    return [value for value in values if value and value != "--"]
