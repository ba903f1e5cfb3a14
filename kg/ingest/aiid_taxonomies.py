"""Import the AI Incident Database's MIT, GMF and CSETv1 classifications as concepts linked to incidents."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import URIRef

from kg.ingest.aiid import incident_iri, incident_number
from kg.ingest.columns import Row, rows
from kg.ingest.concepts import Concepts, Scheme, data_scheme
from kg.ingest.mit_taxonomy import DomainConcepts, split_numbered
from kg.ingest.provenance import SourceDataset
from kg.ingest.report import ImportReport, ImportResult, RowRejected
from kg.ingest.tables import split_values
from kg.namespaces import KG
from kg.ingest.triples import TripleSet

ID_COLUMN = "Incident ID"
GMF = {
    "AI Goal": data_scheme("gmf-ai-goal", "GMF taxonomy (AIID): AI goals"),
    "AI Technology": data_scheme("gmf-ai-technology", "GMF taxonomy (AIID): AI technologies"),
    "AI Technical Failure": data_scheme("gmf-ai-technical-failure", "GMF taxonomy (AIID): AI technical failures"),
}
CSET_SINGLE = {
    "Tangible Harm": "tangible harm", "AI Harm Level": "AI harm level", "Autonomy Level": "autonomy level",
    "Intentional Harm": "intentional harm", "Location Region": "location region",
}
CSET_MULTI = {
    "Sector of Deployment": "sector of deployment", "Infrastructure Sectors": "infrastructure sectors",
    "Harm Distribution Basis": "harm distribution basis", "AI tools and methods": "AI tools and methods",
}
CSET_COUNTRY = "Location Country (two letters)"
COMMA_VALUES = (  # CSETv1 values that contain ", " themselves (from the CSET codebook)
    "Arts, entertainment and recreation", "professional, scientific and technical activities",
    "agriculture, forestry and fishing", "electricity, gas, steam and air conditioning supply",
    "water supply, sewerage, waste management and remediation activities",
    "familial status (e.g., having or not having children) or pregnancy", "no tangible harm, near-miss, or issue",
)


def cset_scheme(title: str) -> Scheme:
    """The data-defined scheme of one CSETv1 field."""
    return data_scheme(f"cset-{title.lower().replace(' ', '-')}", f"CSETv1 taxonomy (AIID): {title}")


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
    path: Path, dataset: SourceDataset, incidents: set[URIRef],
    add: Callable[[TripleSet, Row, URIRef, ImportReport], None],
) -> ImportResult:
    """Run ``add`` for each row's incident; rows without a valid incident number are rejected."""
    report = ImportReport(dataset.key, str(path), str(dataset.graph))
    graph = dataset.new_graph()
    for row in rows(path, report, (ID_COLUMN,)):
        try:
            incident = incident_iri(incident_number(row.get(ID_COLUMN), ID_COLUMN))
        except RowRejected as rejection:
            report.reject(row.line, rejection.field, rejection.reason)
            continue
        if incidents and incident not in incidents:
            report.warn(row.line, ID_COLUMN, f"classifies {incident}, which no imported AIID snapshot lists")
        add(graph, row, incident, report)
        report.imported += 1
    return ImportResult(graph, report)


def import_mit_classifications(
    path: Path, dataset: SourceDataset, domains: DomainConcepts, incidents: set[URIRef]
) -> ImportResult:
    """classifications_MIT.csv: risk domain and sub-domain, entity, intent and timing of each incident."""

    def add(graph: TripleSet, row: Row, incident: URIRef, report: ImportReport) -> None:
        for column in ("Risk Domain", "Risk Subdomain"):
            numbered = split_numbered(row.get(column)) if row.get(column) not in ("", "--") else None
            if numbered is None:
                continue
            concept = domains.concept(graph, *numbered)
            if concept is None:
                report.warn(row.line, column, f"no domain numbered {numbered[0]} in the MIT domain taxonomy")
            else:
                graph.add((incident, KG.classification, concept))
        for column in ("Entity", "Intent", "Timing"):
            if row.get(column) not in ("", "--"):
                concept = domains.causal(graph, column.lower(), row.get(column))
                if concept is not None:
                    graph.add((incident, KG.classification, concept))

    return _classify(path, dataset, incidents, add)


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

    return _classify(path, dataset, incidents, add)


def import_cset_classifications(
    path: Path, dataset: SourceDataset, concepts: Concepts, incidents: set[URIRef]
) -> ImportResult:
    """classifications_CSETv1.csv: the categorical fields as concepts, the country as a jurisdiction."""

    def add(graph: TripleSet, row: Row, incident: URIRef, report: ImportReport) -> None:
        for column, title in (*CSET_SINGLE.items(), *CSET_MULTI.items()):
            values = comma_values(row.get(column)) if column in CSET_MULTI else [row.get(column)]
            for value in values:
                if value and value != "--":
                    concept = concepts.use(graph, cset_scheme(title), value, report, row.line, column)
                    graph.add((incident, KG.classification, concept))
        code = row.get(CSET_COUNTRY)
        if code and code != "--":
            jurisdiction = concepts.jurisdiction_by_code(graph, code)
            found = [jurisdiction] if jurisdiction else concepts.jurisdictions(graph, code, report, row.line, CSET_COUNTRY)
            for target in found:
                graph.add((incident, KG.jurisdiction, target))

    return _classify(path, dataset, incidents, add)
