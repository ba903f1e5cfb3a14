"""Import an AIAAIC Repository export (any of its layouts) into one named graph, row by row."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.errors import DataSyntaxError
from kg.ingest import aiaaic_layout
from kg.ingest import concepts as c
from kg.ingest.concepts import Concepts
from kg.ingest.dates import occurrence
from kg.ingest.organisations import Agents
from kg.ingest.provenance import SourceDataset, cells, involvement
from kg.ingest.report import WHITE_SPACE, ImportReport, ImportResult, RowRejected, control_character
from kg.ingest.tables import records, split_values
from kg.ingest.triples import TripleSet
from kg.namespaces import ID, KG, SCHEMA

AIAAIC = ID["org/aiaaic"]
_ID = re.compile(r"^AIAAIC\s*(\d{1,4})$", re.IGNORECASE)
INCIDENT_CONCEPTS = (
    ("jurisdiction", KG.jurisdiction, None),
    ("sector", KG.sector, c.SECTORS),
    ("ethical_issue", KG.ethicalIssue, c.ETHICAL_ISSUES),
    ("transparency", KG.transparencyIssue, c.TRANSPARENCY_ISSUES),
    ("news_trigger", KG.newsTrigger, c.NEWS_TRIGGERS),
    ("individual_harm", KG.externalHarm, c.INDIVIDUAL_HARMS),
    ("societal_harm", KG.externalHarm, c.SOCIETAL_HARMS),
    ("environmental_harm", KG.externalHarm, c.ENVIRONMENTAL_HARMS),
    ("consequence", KG.consequence, c.CONSEQUENCES),
    ("response", KG.response, c.RESPONSES),
    ("entry_type", KG.entryType, c.ENTRY_TYPES),
)
SYSTEM_CONCEPTS = (("technology", KG.technology, c.TECHNOLOGIES), ("purpose", KG.purpose, c.PURPOSES))
ROLES = (("deployer", KG.deployer), ("developer", KG.developer))
KEPT_AS_WRITTEN = ("deployer", "developer", "system", "technology", "ethical_issue", "jurisdiction", "sector")
"""Fields whose cells each record keeps verbatim (kg:cell), so that the source's own text stays quotable."""


def canonical_id(text: str) -> str:
    """AIAAIC + 4 digits, whatever the padding in the source.

    >>> canonical_id("AIAAIC001"), canonical_id("AIAAIC0288")
    ('AIAAIC0001', 'AIAAIC0288')
    """
    match = _ID.match(text.strip())
    if not match:
        raise ValueError(text)
    return f"AIAAIC{int(match.group(1)):04d}"


def clean(text: str) -> str:
    """A cell's text with runs of white space (newlines included) collapsed to one space."""
    return " ".join(text.split())


class _Row:
    """Access to one record's cells by field name."""

    def __init__(self, cells: list[str], fields: dict[str, list[int]], names: list[str]) -> None:
        self.cells, self.fields, self.names = cells, fields, names

    def text(self, field: str) -> str:
        return "; ".join(
            clean(self.cells[i]) for i in self.fields.get(field, []) if i < len(self.cells) and clean(self.cells[i])
        )

    def values(self, field: str) -> list[str]:
        return [
            v for i in self.fields.get(field, []) if i < len(self.cells) for v in split_values(clean(self.cells[i]))
        ]

    def header(self, field: str) -> str:
        return " / ".join(self.names[i] for i in self.fields.get(field, [])) or field

    def written(self, fields: tuple[str, ...]) -> list[tuple[str, str]]:
        """(column name, cell exactly as written) of each column that feeds one of ``fields``."""
        return [(self.names[i], self.cells[i]) for f in fields for i in self.fields.get(f, []) if i < len(self.cells)]

    def named(self) -> dict[str, str]:
        """Every cell by its column name (``column N`` for an unnamed one)."""
        return {(self.names[i] or f"column {i + 1}"): cell for i, cell in enumerate(self.cells) if i < len(self.names)}


def import_aiaaic(path: Path, dataset: SourceDataset, concepts: Concepts, agents: Agents) -> ImportResult:
    """Every row of an AIAAIC export as an incident, its AI system and the alleged deployers and developers."""
    layout = aiaaic_layout.detect(path)
    report = ImportReport(dataset.key, str(path), str(dataset.graph))
    report.notes.append(f"layout: {layout.name}")
    graph = dataset.new_graph()
    fields = layout.fields()
    names = [col.name for col in layout.columns]
    for column in layout.columns:
        if column.field is None and column.name:
            report.warn(layout.header_line, column.name, "column not imported: the importer does not know it")
    if "title" not in fields:
        raise DataSyntaxError(path, layout.header_line, "not an AIAAIC export: no 'Headline' column")
    unnamed = [col.index for col in layout.columns if not col.name]
    seen: dict[str, int] = {}
    for record in records(path, layout.width, layout.data_start):
        report.rows_read += 1
        if record.broken:
            report.reject(record.line, None, record.broken)
            continue
        if record.is_empty:
            report.empty += 1
            report.warn(record.line, None, "empty row skipped")
            continue
        row = _Row(record.cells, fields, names)
        try:
            if len(record.cells) != layout.width:
                raise RowRejected(None, f"row has {len(record.cells)} cells, the header has {layout.width}")
            damaged = control_character(row.named())
            if damaged:
                raise RowRejected(*damaged)
            _import_row(graph, row, record.line, dataset, concepts, agents, report, seen)
        except RowRejected as rejection:
            report.reject(record.line, rejection.field, rejection.reason, row.text("id") or None)
            _trace(graph, row, record.line, dataset, rejection, report)
            continue
        report.imported += 1
        for index in unnamed:
            extra = clean(record.cells[index]) if index < len(record.cells) else ""
            if extra:
                what = "repeats Summary/links" if extra == row.text("page") else "not imported"
                report.warn(record.line, f"unnamed column {index + 1}", f"value {what}: {extra!r}")
    report.incidents = len(seen)
    return ImportResult(graph, report)


def _trace(
    graph: TripleSet, row: _Row, line: int, dataset: SourceDataset, rejection: RowRejected, report: ImportReport
) -> None:
    """A rejected row with an AIAAIC ID leaves a record saying so, with its cells (unless they are damaged)."""
    try:
        key = canonical_id(row.text("id"))
    except ValueError:
        return
    source = dataset.record(graph, key, f"row {row.text('id')}, rejected", f"-line-{line}", line)
    graph.add((source, SKOS.editorialNote, Literal(f"rejected at import: {rejection.reason}", lang="en")))
    if not rejection.reason.startswith("control character"):
        report.cells += cells(graph, source, row.written(KEPT_AS_WRITTEN))


def _import_row(
    graph: TripleSet,
    row: _Row,
    line: int,
    dataset: SourceDataset,
    concepts: Concepts,
    agents: Agents,
    report: ImportReport,
    seen: dict[str, int],
) -> None:
    """Check one row completely, then add its statements (a rejected row adds nothing)."""
    original = row.text("id")
    if not original:
        raise RowRejected(row.header("id"), "missing ID")
    try:
        key = canonical_id(original)
    except ValueError:
        raise RowRejected(row.header("id"), f"not an AIAAIC ID: {original!r} (expected AIAAIC and digits)") from None
    title = row.text("title")
    if not title:
        raise RowRejected(row.header("title"), f"{original}: missing headline")
    try:
        when = occurrence(row.text("occurred"))
    except ValueError as error:
        raise RowRejected(row.header("occurred"), f"{original}: {error}") from None
    page_url = row.text("page")
    if page_url and not re.match(r"^https?://\S+$", page_url):
        report.warn(line, row.header("page"), f"{original}: not a URL, not imported: {page_url!r}")
        page_url = ""

    suffix = ""
    if key in seen:
        suffix = f"-line-{line}"
        report.warn(
            line,
            row.header("id"),
            f"duplicate ID {original} (first on line {seen[key]}): both rows' statements are kept on the one incident",
        )
    else:
        seen[key] = line
    incident, system = ID[f"incident/{key}"], ID[f"system/{key}"]
    source = dataset.record(graph, key, f"row {original}", suffix, line)
    report.cells += cells(graph, source, row.written(KEPT_AS_WRITTEN))
    for column, text in row.written(tuple(row.fields)):
        if text.strip() and text != clean(text):
            report.repair(WHITE_SPACE, line, original)
    graph.add((incident, RDF.type, KG.Incident))
    graph.add((incident, DCTERMS.title, Literal(title, lang="en")))
    graph.add((incident, SKOS.notation, Literal(original)))
    graph.add((incident, KG.describedBy, source))
    for prop, value in ((KG.occurred, when.occurred), (KG.occurredFrom, when.start), (KG.occurredUntil, when.end)):
        if value is not None:
            graph.add((incident, prop, value))
    if page_url:
        page = ID[f"source/aiaaic-page-{key}"]
        graph.add((page, RDF.type, KG.WebPage))
        graph.add((page, SCHEMA.url, URIRef(page_url)))
        graph.add((page, SCHEMA.publisher, AIAAIC))
        graph.add((incident, KG.describedBy, page))
    for field, prop, scheme in INCIDENT_CONCEPTS:
        for value in row.values(field):
            targets = (
                concepts.jurisdictions(graph, value, report, line, row.header(field), original)
                if scheme is None
                else [concepts.use(graph, scheme, value, report, line, row.header(field))]
            )
            for target in targets:
                graph.add((incident, prop, target))
    system_names = row.values("system")
    system_facts = [(f, prop, scheme, value) for f, prop, scheme in SYSTEM_CONCEPTS for value in row.values(f)]
    parties = [(role, name) for field, role in ROLES for name in row.values(field)]
    if not (system_names or system_facts or parties):
        return
    graph.add((incident, KG.involvesSystem, system))
    graph.add((system, RDF.type, KG.AISystem))
    for name in system_names:
        graph.add((system, RDFS.label, Literal(name)))
    for field, prop, scheme, value in system_facts:
        graph.add((system, prop, concepts.use(graph, scheme, value, report, line, row.header(field))))
    for role, name in parties:
        agent = agents.agent(graph, name)
        if agent is not None:
            involvement(graph, key, dataset, role, agent, system, source, name)
