"""Import the AI Incident Database's MIT, GMF and CSETv1 classifications as concepts linked to incidents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import URIRef

from kg.ingest.aiid import incident_iri, incident_number
from kg.ingest.columns import Row, rows
from kg.ingest.concepts import Concepts, Scheme
from kg.ingest.mit_taxonomy import DomainConcepts
from kg.ingest.provenance import SourceDataset, cells
from kg.ingest.report import ImportReport, ImportResult, RowRejected
from kg.ingest.tables import split_values
from kg.ingest.triples import TripleSet
from kg.namespaces import KG

ID_COLUMN = "Incident ID"
GMF = {
    "AI Goal": Scheme("gmf-ai-goal", KG.gmfGoals),
    "AI Technology": Scheme("gmf-ai-technology", KG.gmfTechnologies),
    "AI Technical Failure": Scheme("gmf-ai-technical-failure", KG.gmfTechnicalFailures),
}
CSET_SINGLE = {
    "Tangible Harm": Scheme("cset-tangible-harm", KG.csetTangibleHarms),
    "AI Harm Level": Scheme("cset-ai-harm-level", KG.csetHarmLevels),
    "Autonomy Level": Scheme("cset-autonomy-level", KG.csetAutonomyLevels),
    "Intentional Harm": Scheme("cset-intentional-harm", KG.csetIntentionalHarms),
    "Location Region": Scheme("cset-location-region", KG.csetRegions),
}
CSET_MULTI = {
    "Sector of Deployment": Scheme("cset-sector-of-deployment", KG.csetSectors),
    "Infrastructure Sectors": Scheme("cset-infrastructure-sectors", KG.csetInfrastructureSectors),
    "Harm Distribution Basis": Scheme("cset-harm-distribution-basis", KG.csetHarmDistributionBases),
    "AI tools and methods": Scheme("cset-ai-tools-and-methods", KG.csetAIMethods),
}
CSET_COUNTRY = "Location Country (two letters)"
KEPT_AS_WRITTEN = {
    "MIT": ("Risk Domain", "Risk Subdomain", "Entity", "Timing", "Intent"),
    "GMF": ("Known AI Technology", "Potential AI Technology"),
    "CSET": ("Sector of Deployment", CSET_COUNTRY, "AI tools and methods"),
}
"""Columns each classification record keeps verbatim (kg:cell): technology, sector, country and risk cells."""
COMMA_VALUES = (  # CSETv1 values that contain ", " themselves (from the CSET codebook)
    "Arts, entertainment and recreation",
    "professional, scientific and technical activities",
    "agriculture, forestry and fishing",
    "electricity, gas, steam and air conditioning supply",
    "water supply, sewerage, waste management and remediation activities",
    "familial status (e.g., having or not having children) or pregnancy",
    "no tangible harm, near-miss, or issue",
)


def comma_values(cell: str) -> list[str]:
    """Values separated by ``", "``, keeping the CSET values that contain a comma whole.

    >>> comma_values("Arts, entertainment and recreation, information and communication")
    ['Arts, entertainment and recreation', 'information and communication']
    """
    found, rest = [], cell
    for value in COMMA_VALUES:
        if value in rest:
            found.append(value)
            rest = rest.replace(value, "")
    return found + [v.strip() for v in rest.split(",") if v.strip() and v.strip() != "--"]


def _classify(
    path: Path,
    dataset: SourceDataset,
    incidents: set[URIRef],
    add: Callable[[TripleSet, Row, URIRef, ImportReport], None],
    kept: tuple[str, ...] = (),
) -> ImportResult:
    """Run ``add`` for each row's incident; rows without a valid incident number are rejected."""
    report = ImportReport(dataset.key, str(path), str(dataset.graph))
    graph = dataset.new_graph()
    seen: set[URIRef] = set()
    for row in rows(path, report, (ID_COLUMN,), ID_COLUMN):
        try:
            incident = incident_iri(incident_number(row.get(ID_COLUMN), ID_COLUMN))
        except RowRejected as rejection:
            report.reject(row.line, rejection.field, rejection.reason, row.get(ID_COLUMN) or None)
            continue
        if incidents and incident not in incidents:
            report.warn(row.line, ID_COLUMN, f"classifies {incident}, which no imported AIID snapshot lists")
        number = str(incident).rsplit("-", 1)[-1]
        suffix = f"-line-{row.line}" if incident in seen else ""
        seen.add(incident)
        record = dataset.record(graph, f"AIID-{number}", f"classification of incident {number}", suffix, row.line)
        report.cells += cells(graph, record, [(column, row.cells.get(column, "")) for column in kept])
        graph.add((incident, KG.describedBy, record))
        add(graph, row, incident, report)
        report.imported += 1
    return ImportResult(graph, report)


def import_mit_classifications(
    path: Path, dataset: SourceDataset, domains: DomainConcepts, incidents: set[URIRef]
) -> ImportResult:
    """classifications_MIT.csv: risk domain and sub-domain, entity, intent and timing of each incident."""

    def add(graph: TripleSet, row: Row, incident: URIRef, report: ImportReport) -> None:
        domains.classify(graph, incident, row, report, ("Risk Domain", "Risk Subdomain"), lambda v: v in ("", "--"))

    return _classify(path, dataset, incidents, add, KEPT_AS_WRITTEN["MIT"])


def import_gmf_classifications(
    path: Path, dataset: SourceDataset, concepts: Concepts, incidents: set[URIRef]
) -> ImportResult:
    """classifications_GMF.csv: known goals, technologies and failures, and potential ones (snippets left out)."""

    def add(graph: TripleSet, row: Row, incident: URIRef, report: ImportReport) -> None:
        for field, scheme in GMF.items():
            for prefix, prop in (("Known", KG.classification), ("Potential", KG.possibleClassification)):
                column = f"{prefix} {field}"
                for value in split_values(row.get(column), ","):
                    graph.add((incident, prop, concepts.use(graph, scheme, value, report, row.line, column)))

    return _classify(path, dataset, incidents, add, KEPT_AS_WRITTEN["GMF"])


def import_cset_classifications(
    path: Path, dataset: SourceDataset, concepts: Concepts, incidents: set[URIRef]
) -> ImportResult:
    """classifications_CSETv1.csv: the categorical fields as concepts, the country as a jurisdiction."""

    def add(graph: TripleSet, row: Row, incident: URIRef, report: ImportReport) -> None:
        for column, scheme in (*CSET_SINGLE.items(), *CSET_MULTI.items()):
            values = comma_values(row.get(column)) if column in CSET_MULTI else [row.get(column)]
            for value in values:
                if value and value != "--":
                    concept = concepts.use(graph, scheme, value, report, row.line, column)
                    graph.add((incident, KG.classification, concept))
        code = row.get(CSET_COUNTRY)
        if code and code != "--":
            jurisdiction = concepts.jurisdiction_by_code(graph, code)
            found = (
                [jurisdiction] if jurisdiction else concepts.jurisdictions(graph, code, report, row.line, CSET_COUNTRY)
            )
            for target in found:
                graph.add((incident, KG.jurisdiction, target))

    return _classify(path, dataset, incidents, add, KEPT_AS_WRITTEN["CSET"])
