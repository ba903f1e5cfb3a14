"""AIAAIC's spreadsheet layouts, told apart by their header: the title row, grouped headers, header aliases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataSyntaxError
from kg.ingest.tables import Record, header_records

ID_HEADERS = ("aiaaic id#", "aiaaic id")
NO_DATA = 1 << 40
FIELDS: dict[str, tuple[str, ...]] = {
    "id": ID_HEADERS,
    "title": ("headline", "title"),
    "occurred": ("occurred",),
    "deployer": ("deployer", "deployer(s)", "operator", "operator(s)"),
    "developer": ("developer", "developer(s)"),
    "system": ("system name", "system name(s)", "system", "system(s)"),
    "technology": ("technology", "technology(ies)"),
    "purpose": ("purpose", "purpose(s)"),
    "news_trigger": ("news trigger (taxonomy)", "news trigger(s)", "media trigger(s)", "media trigger"),
    "ethical_issue": ("ethical issue (taxonomy)", "issue(s)", "issue"),
    "transparency": ("transparency", "transparency (taxonomy)"),
    "jurisdiction": ("impacted area/jurisdiction", "country(ies)", "country"),
    "sector": ("impacted area/sector", "sector(s)", "sector"),
    "individual_harm": ("external harm (taxonomy)/individual", "external harms/individual"),
    "societal_harm": ("external harm (taxonomy)/societal", "external harms/societal"),
    "environmental_harm": ("external harm (taxonomy)/environmental", "external harms/environmental"),
    "consequence": (
        "consequence (taxonomy)",
        "internal impacts/legal/regulatory",
        "internal impacts/strategic/reputational",
        "internal impacts/financial",
    ),
    "response": ("response (taxonomy)", "internal impacts/operational"),
    "entry_type": ("type",),
    "page": ("summary/links", "description/links"),
}
LAYOUTS = (
    ("taxonomy columns (2026 export)", "ethical issue (taxonomy)"),
    ("'(s)' columns (2025 export)", "issue(s)"),
    ("older export (Operator, Transparency)", "transparency"),
)


@dataclass(frozen=True)
class Column:
    """One physical column: its position, its full name (group/sub-header) and the field it feeds."""

    index: int
    name: str
    field: str | None


@dataclass(frozen=True)
class Layout:
    """How to read one AIAAIC file: its columns, where data starts, and which layout the header shows."""

    name: str
    columns: list[Column]
    header_line: int
    data_start: int
    width: int

    def fields(self) -> dict[str, list[int]]:
        """Field -> the column positions that feed it."""
        found: dict[str, list[int]] = {}
        for column in self.columns:
            if column.field:
                found.setdefault(column.field, []).append(column.index)
        return found


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _column_names(header: list[str], sub: list[str] | None) -> list[str]:
    """Names from the header and sub-header rows, a grouped header filled forward over its sub-columns."""
    names, parent = [], ""
    for index, cell in enumerate(header):
        below = (sub[index] if sub and index < len(sub) else "").strip()
        if cell.strip():
            parent = cell.strip()
            names.append(f"{parent}/{below}" if below else parent)
        elif below and parent:
            names.append(f"{parent}/{below}")
        else:
            parent = ""
            names.append("")
    return names


def _is_sub_header(header: list[str], row: Record) -> bool:
    """A sub-header row has cells only under grouped headers (a header followed by empty header cells)."""
    if row.broken or not row.cells or row.cells[0].strip():
        return False
    grouped = {
        i for i in range(1, len(header)) if not header[i].strip() or (i + 1 < len(header) and not header[i + 1].strip())
    }
    filled = {i for i, cell in enumerate(row.cells) if cell.strip()}
    return bool(filled) and filled <= grouped


def detect(path: Path) -> Layout:
    """Find the header (after any title row), the optional sub-header, and map columns to fields."""
    first = header_records(path, 6)
    position = next((i for i, r in enumerate(first) if r.cells and _normal(r.cells[0]) in ID_HEADERS), None)
    if position is None:
        raise DataSyntaxError(path, None, "not an AIAAIC export: no 'AIAAIC ID#' header in the first rows")
    header = first[position].cells
    sub = first[position + 1] if position + 1 < len(first) else None
    has_sub = sub is not None and _is_sub_header(header, sub)
    names = _column_names(header, sub.cells if has_sub and sub else None)
    lookup = {alias: field for field, aliases in FIELDS.items() for alias in aliases}
    columns = [Column(i, name, lookup.get(_normal(name))) for i, name in enumerate(names)]
    normal_names = {_normal(n) for n in names}
    layout = next((label for label, marker in LAYOUTS if marker in normal_names), "unrecognised layout")
    after = position + 1 + int(has_sub)
    data_start = first[after].line - 1 if after < len(first) else NO_DATA
    return Layout(layout, columns, first[position].line, data_start, len(header))
