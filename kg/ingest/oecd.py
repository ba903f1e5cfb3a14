"""Import an OECD AI Incidents Monitor export: incidents with their date, summary and concepts."""

from __future__ import annotations

import re
from pathlib import Path

from kg.ingest.columns import Row, rows
from kg.ingest.concepts import Concepts, Scheme
from kg.ingest.dates import iso_date
from kg.ingest.incidents import incident as describe_incident
from kg.ingest.incidents import web_page
from kg.ingest.provenance import SourceDataset, cells
from kg.ingest.report import ImportReport, ImportResult, RowRejected
from kg.ingest.tables import split_values
from kg.ingest.triples import TripleSet
from kg.namespaces import ID, KG

CONCEPTS = Scheme("oecd-concept", KG.oecdConcepts)
PUBLISHER = ID["org/oecd"]
REQUIRED = ("id", "title", "date", "summary", "concepts", "companies", "country")
KEPT_AS_WRITTEN = ("concepts", "companies", "country")
"""Columns each record keeps verbatim (kg:cell): the companies are imported nowhere else."""
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def import_oecd(path: Path, dataset: SourceDataset, concepts: Concepts) -> ImportResult:
    """Every row as an incident described by its AIM page, classified by the AIM's concepts."""
    report = ImportReport(dataset.key, str(path), str(dataset.graph))
    graph = dataset.new_graph()
    seen: dict[str, int] = {}
    for row in rows(path, report, REQUIRED, "id"):
        try:
            _import_row(graph, row, dataset, concepts, report, seen)
        except RowRejected as rejection:
            report.reject(row.line, rejection.field, rejection.reason, row.get("id") or None)
            continue
        report.imported += 1
    report.incidents = len(seen)
    return ImportResult(graph, report)


def _import_row(
    graph: TripleSet, row: Row, dataset: SourceDataset, concepts: Concepts, report: ImportReport, seen: dict[str, int]
) -> None:
    local = row.get("id")
    if not local:
        raise RowRejected("id", "missing incident ID")
    if not _ID.match(local):
        raise RowRejected("id", f"not an AIM incident ID: {local!r}")
    if not row.get("title"):
        raise RowRejected("title", f"{local}: missing title")
    try:
        day = iso_date(row.get("date")) if row.get("date") else None
    except ValueError as error:
        raise RowRejected("date", f"{local}: {error}") from None
    suffix = ""
    if local in seen:
        suffix = f"-line-{row.line}"
        report.warn(
            row.line, "id", f"duplicate ID {local} (first on line {seen[local]}): both rows kept on one incident"
        )
    seen.setdefault(local, row.line)
    key = f"OECD-{local}"
    incident = ID[f"incident/{key}"]
    source = dataset.record(graph, key, f"incident {local}", suffix, row.line)
    report.cells += cells(graph, source, [(column, row.cells[column]) for column in KEPT_AS_WRITTEN])
    page = web_page(graph, ID[f"source/oecd-aim-page-{local}"], f"https://oecd.ai/en/incidents/{local}", PUBLISHER)
    describe_incident(graph, incident, key, row.get("title"), row.get("summary"), day, (source, page))
    for label in split_values(row.get("concepts"), ","):
        graph.add((incident, KG.classification, concepts.use(graph, CONCEPTS, label, report, row.line, "concepts")))
    for country in split_values(row.get("country"), ","):
        for jurisdiction in concepts.jurisdictions(graph, country, report, row.line, "country", local):
            graph.add((incident, KG.jurisdiction, jurisdiction))
    if row.get("companies"):
        report.warn(
            row.line,
            "companies",
            f"{local}: companies not imported, the export does not say their role: {row.get('companies')!r}",
        )
