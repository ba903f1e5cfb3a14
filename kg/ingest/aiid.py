"""Import the AI Incident Database's incidents (a snapshot's incidents.csv) and its duplicates list."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.ingest.columns import Row, rows
from kg.ingest.dates import iso_date
from kg.ingest.incidents import incident as describe_incident
from kg.ingest.incidents import web_page
from kg.ingest.organisations import GROUP, ORGANISATION, Agents
from kg.ingest.provenance import SourceDataset, cells, involvement
from kg.ingest.report import ImportReport, ImportResult, RowRejected
from kg.ingest.triples import TripleSet
from kg.namespaces import ID, KG

PUBLISHER = ID["org/responsible-ai-collaborative"]
DEPLOYER, DEVELOPER = "Alleged deployer of AI system", "Alleged developer of AI system"
HARMED = "Alleged harmed or nearly harmed parties"
PARTY_COLUMNS = ((DEPLOYER, KG.deployer), (DEVELOPER, KG.developer), (HARMED, KG.harmedParty))
REQUIRED = ("incident_id", "date", "title", DEPLOYER, DEVELOPER, HARMED)
_OBJECT_ID = re.compile(r"^ObjectId\(([0-9a-f]{24})\)$")


def incident_iri(number: int) -> URIRef:
    """The IRI of AIID incident ``number``."""
    return ID[f"incident/AIID-{number}"]


def incident_number(text: str, column: str) -> int:
    """An AIID incident number; RowRejected if the cell is not a positive whole number."""
    value = text.strip()
    if not value:
        raise RowRejected(column, "missing incident ID")
    if not value.isdigit() or int(value) == 0:
        raise RowRejected(column, f"not an incident number: {value!r}")
    return int(value)


def slugs(row: Row, column: str) -> list[str]:
    """The entity slugs of a JSON-array cell; RowRejected if the cell is not a JSON array of strings."""
    text = row.get(column)
    if not text:
        return []
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise RowRejected(column, f"not a JSON array: {error.msg} at character {error.pos}") from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RowRejected(column, "not a JSON array of entity slugs")
    return [item.strip() for item in value if item.strip()]


def import_aiid_incidents(path: Path, dataset: SourceDataset, agents: Agents) -> ImportResult:
    """Every incident as an incident with its citation page and alleged deployers, developers, harmed parties."""
    report = ImportReport(dataset.key, str(path), str(dataset.graph))
    graph = dataset.new_graph()
    parsed = []
    for row in rows(path, report, REQUIRED, "incident_id"):
        try:
            parsed.append((row, _check(row)))
        except RowRejected as rejection:
            report.reject(row.line, rejection.field, rejection.reason, row.get("incident_id") or None)
    builders = {name for _, (_, _, parties) in parsed for column, _, name in parties if column != HARMED}
    seen: dict[int, int] = {}
    for row, (number, day, parties) in parsed:
        suffix = ""
        if number in seen:
            suffix = f"-line-{row.line}"
            report.warn(
                row.line,
                "incident_id",
                f"duplicate incident {number} (first on line {seen[number]}): "
                "both rows' statements are kept on the one incident",
            )
        seen.setdefault(number, row.line)
        _add(graph, row, number, day, parties, dataset, agents, builders, suffix, report)
        report.imported += 1
    report.incidents = len(seen)
    return ImportResult(graph, report)


def _check(row: Row) -> tuple[int, Literal | None, list[tuple[str, URIRef, str]]]:
    """Everything about a row that can make it fail, before anything is added."""
    number = incident_number(row.get("incident_id"), "incident_id")
    if not row.get("title"):
        raise RowRejected("title", f"incident {number}: missing title")
    day = None
    if row.get("date"):
        try:
            day = iso_date(row.get("date"))
        except ValueError as error:
            raise RowRejected("date", f"incident {number}: {error}") from None
    parties = [(column, role, name) for column, role in PARTY_COLUMNS for name in slugs(row, column)]
    return number, day, parties


def _add(
    graph: TripleSet,
    row: Row,
    number: int,
    day: Literal | None,
    parties: list[tuple[str, URIRef, str]],
    dataset: SourceDataset,
    agents: Agents,
    builders: set[str],
    suffix: str,
    report: ImportReport,
) -> None:
    incident = incident_iri(number)
    key = f"AIID-{number}"
    source = dataset.record(graph, key, f"incident {number}", suffix, row.line)
    report.cells += cells(graph, source, [(column, row.cells[column]) for column, _ in PARTY_COLUMNS])
    object_id = _OBJECT_ID.match(row.get("_id"))
    if object_id:
        graph.add((source, DCTERMS.identifier, Literal(object_id.group(1))))
    elif row.get("_id"):
        report.warn(row.line, "_id", f"not an ObjectId(...): {row.get('_id')!r}")
    page = web_page(graph, ID[f"source/aiid-cite-{number}"], f"https://incidentdatabase.ai/cite/{number}", PUBLISHER)
    describe_incident(graph, incident, key, row.get("title"), row.get("description"), day, (page, source))
    for column, role, name in parties:
        known = name in builders or agents.is_organisation(name, from_slug=True)
        default = ORGANISATION if column != HARMED or known else GROUP
        agent = agents.agent(graph, name, default, from_slug=True)
        if agent is not None:
            involvement(graph, key, dataset, role, agent, incident, source, name)


def import_aiid_duplicates(path: Path, dataset: SourceDataset) -> ImportResult:
    """Each row of duplicates.csv as ``duplicate dct:isReplacedBy true incident``."""
    report = ImportReport(dataset.key, str(path), str(dataset.graph))
    graph = dataset.new_graph()
    for row in rows(path, report, ("duplicate_incident_number", "true_incident_number"), "duplicate_incident_number"):
        try:
            duplicate = incident_number(row.get("duplicate_incident_number"), "duplicate_incident_number")
            true = incident_number(row.get("true_incident_number"), "true_incident_number")
        except RowRejected as rejection:
            report.reject(row.line, rejection.field, rejection.reason)
            continue
        graph.add((incident_iri(duplicate), DCTERMS.isReplacedBy, incident_iri(true)))
        report.imported += 1
    return ImportResult(graph, report)
