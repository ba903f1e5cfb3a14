"""Prove that every raw name, place and classification cell of each source file can be quoted from the built store.

The expectations come from the raw files alone, read here with the csv module (not with the importers' code): for
each file, the columns named in AUDITED, every non-empty cell, with the line its row starts on. The store is asked
with ``kg/queries/audit-cells.rq`` (the cells kept on each dataset's records, ``kg:cell``) and every expected
(line, column, text) must be found exactly. For the deployer and developer columns each name in the cell (split
on ``;``, or AIID's JSON array) must also be the ``kg:sourceLabel`` of an involvement resting on that row, unless
it names no party (NO_PARTY: ``unknown`` and the like, which the README says give no involvement).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef

from kg import queries
from kg.namespaces import ID, KG
from kg.store import Solutions, TripleStore


@dataclass(frozen=True)
class Audited:
    """A source file, the dataset its records belong to, the columns to check and the name columns by role."""

    dataset: str
    path: str
    columns: tuple[str, ...]
    names: tuple[tuple[str, str], ...] = ()
    grouped_header: bool = False


NO_PARTY = frozenset({"unknown", "unknowns", "none", "n/a", "na", "not known", "unclear"})
"""Names that name no party, in any case (docs/repairs.md: such a name gives no involvement)."""
_AIID_PARTIES = ("Alleged deployer of AI system", "Alleged developer of AI system")
_AIID = (*_AIID_PARTIES, "Alleged harmed or nearly harmed parties")
_AIID_NAMES = (("deployer", _AIID_PARTIES[0]), ("developer", _AIID_PARTIES[1]))
AUDITED = (
    Audited(
        "aiaaic-2026-05",
        "aiaaic/aiaaic_incidents_2026-05.csv",
        ("Deployer", "Developer", "System name", "Technology", "Ethical issue (taxonomy)",
         "Impacted area/Jurisdiction", "Impacted area/Sector"),
        (("deployer", "Deployer"), ("developer", "Developer")),
        grouped_header=True,
    ),
    Audited(
        "aiaaic-2025-12",
        "aiaaic/aiaaic_incidents_2025-12.csv",
        ("Deployer(s)", "Developer(s)", "System name(s)", "Technology(ies)", "Issue(s)", "Country(ies)", "Sector(s)"),
        (("deployer", "Deployer(s)"), ("developer", "Developer(s)")),
        grouped_header=True,
    ),
    Audited("aiid-2026-06", "aiid/incidents_2026-06.csv", _AIID, _AIID_NAMES),
    Audited("aiid-2026-02", "aiid/snapshot_2026-02/incidents.csv", _AIID, _AIID_NAMES),
    Audited(
        "aiid-2026-02-mit",
        "aiid/snapshot_2026-02/classifications_MIT.csv",
        ("Risk Domain", "Risk Subdomain", "Entity", "Timing", "Intent"),
    ),
    Audited(
        "aiid-2026-02-gmf", "aiid/snapshot_2026-02/classifications_GMF.csv", ("Known AI Technology", "Potential AI Technology")
    ),
    Audited(
        "aiid-2026-02-cset-v1",
        "aiid/snapshot_2026-02/classifications_CSETv1.csv",
        ("Sector of Deployment", "Location Country (two letters)", "AI tools and methods"),
    ),
    Audited("oecd-aim-sample", "oecd-aim/oecd_aim_fatal_incidents_sample.csv", ("concepts", "companies", "country")),
    Audited("mit-ai-risk-v3", "mit-ai-risk/ai_risk_database_v3.csv", ("Domain", "Sub-domain", "Entity", "Intent", "Timing")),
    Audited("mit-ai-risk-v3-domains", "mit-ai-risk/domain_taxonomy_v3.csv", ("domain", "subdomain")),
)


@dataclass
class FileAudit:
    """What one file's audit found: cells and names expected, how many the store has, examples of the missing."""

    audited: Audited
    cells: int = 0
    cells_found: int = 0
    names: int = 0
    names_found: int = 0
    missing: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def passed(self) -> bool:
        return not self.error and self.cells == self.cells_found and self.names == self.names_found


@dataclass(frozen=True)
class AuditReport:
    """The audit of every source file present: passed when each one's cells and names are all recoverable."""

    files: tuple[FileAudit, ...]

    @property
    def passed(self) -> bool:
        return bool(self.files) and all(f.passed for f in self.files)

    def table(self) -> str:
        """One line per file: cells and names expected and found, the share recoverable; then what is missing."""
        lines = [f"{'dataset':24} {'cells':>7} {'found':>7} {'names':>6} {'found':>6}  recoverable"]
        for f in self.files:
            total, found = f.cells + f.names, f.cells_found + f.names_found
            share = f"{100 * found / total:.2f} %" if total else "-"
            lines.append(
                f"{f.audited.dataset:24} {f.cells:>7} {f.cells_found:>7} {f.names:>6} {f.names_found:>6}  "
                + (f"error: {f.error}" if f.error else share)
            )
        for f in self.files:
            lines += [f"missing: {f.audited.path}: {item}" for item in f.missing]
        return "\n".join(lines)


def raw_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Every CSV record of ``path`` with the line it starts on (1-based), by the csv module alone."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        end = 0
        for cells in reader:
            start, end = end + 1, reader.line_num
            yield start, cells


def header_and_rows(path: Path, grouped: bool) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Column names and data rows. A grouped header (AIAAIC) starts at the row whose first cell is the ID header
    and may have a sub-header row below; a sub-column is named ``<group>/<sub-header>``."""
    records = list(raw_records(path))
    if not grouped:
        return [name.strip() for name in records[0][1]], records[1:]
    at = next(i for i, (_, cells) in enumerate(records) if cells and cells[0].strip().casefold().startswith("aiaaic id"))
    header = records[at][1]
    below = records[at + 1][1] if at + 1 < len(records) else []
    has_sub = bool(below) and not below[0].strip() and any(cell.strip() for cell in below)
    names, group = [], ""
    for index, cell in enumerate(header):
        sub = below[index].strip() if has_sub and index < len(below) else ""
        group = cell.strip() or (group if sub else "")
        names.append(f"{group}/{sub}" if sub and group else cell.strip())
    return names, records[at + 1 + int(has_sub) :]


def split_names(text: str, json_array: bool) -> list[str]:
    """The names in a deployer or developer cell: AIID's JSON array, or AIAAIC's ``;``-separated list."""
    if json_array:
        try:
            found = json.loads(text)
        except json.JSONDecodeError:
            return []
        return [str(item).strip() for item in found if str(item).strip()] if isinstance(found, list) else []
    return [" ".join(part.split()) for part in text.split(";") if part.strip() and part.strip() != "--"]


def _solutions(store: TripleStore, name: str, dataset: URIRef, variables: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The rows of query ``name`` with ``?dataset`` bound, as tuples of ``variables``' text."""
    result = store.query(queries.load(name), {"dataset": dataset})
    assert isinstance(result, Solutions)
    return [tuple(str(row.get(v, "")) for v in variables) for row in result.rows]


def audit_file(store: TripleStore, sources: Path, audited: Audited, examples: int = 10) -> FileAudit:
    """Audit one file against the store."""
    found = FileAudit(audited)
    try:
        names, rows = header_and_rows(sources / audited.path, audited.grouped_header)
    except (OSError, UnicodeDecodeError, csv.Error, StopIteration) as error:
        found.error = f"cannot read: {error}"
        return found
    absent = [c for c in (*audited.columns, *(c for _, c in audited.names)) if c not in names]
    if absent:
        found.error = f"no column(s) {', '.join(absent)}"
        return found
    position = {name: names.index(name) for name in names}
    dataset = ID[f"source/{audited.dataset}"]
    kept = {(int(row), column, value) for row, column, value in _solutions(store, "audit-cells", dataset, ("row", "column", "value"))}
    labels = {(int(row), role, name) for row, role, name in _solutions(store, "audit-source-labels", dataset, ("row", "role", "name"))}
    json_array = audited.dataset.startswith("aiid-")
    for line, cells in rows:
        for column in audited.columns:
            text = cells[position[column]] if position[column] < len(cells) else ""
            if text.strip():
                found.cells += 1
                if (line, column, text) in kept:
                    found.cells_found += 1
                elif len(found.missing) < examples:
                    found.missing.append(f"line {line} [{column}]: {text!r}")
        for role, column in audited.names:
            text = cells[position[column]] if position[column] < len(cells) else ""
            for name in split_names(text, json_array):
                if name.casefold().replace("-", " ") in NO_PARTY:
                    continue
                found.names += 1
                if (line, str(KG[role]), name) in labels:
                    found.names_found += 1
                elif len(found.missing) < examples:
                    found.missing.append(f"line {line} [{column}]: name {name!r} is no kg:sourceLabel of a {role}")
    return found


def audit(store: TripleStore, data_dir: Path) -> AuditReport:
    """Audit every file of AUDITED present below ``data_dir/sources`` against ``store``."""
    sources = data_dir / "sources"
    return AuditReport(tuple(audit_file(store, sources, a) for a in AUDITED if (sources / a.path).is_file()))
