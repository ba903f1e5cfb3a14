"""Import the MIT AI Risk Repository: papers as sources, risks as SKOS concepts classified by its taxonomies."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.ingest.columns import Row, rows
from kg.ingest.concepts import LANG, Concepts, Scheme
from kg.ingest.mit_taxonomy import DomainConcepts
from kg.ingest.provenance import SourceDataset, cells
from kg.ingest.report import ImportReport, ImportResult, RowRejected
from kg.ingest.triples import TripleSet
from kg.namespaces import ID, KG

RISKS = Scheme("mit-ai-risk", KG.mitRisks)
REQUIRED = (
    "Title",
    "QuickRef",
    "Ev_ID",
    "Category level",
    "Risk category",
    "Risk subcategory",
    "Description",
    "Additional ev.",
    "Entity",
    "Intent",
    "Timing",
    "Domain",
    "Sub-domain",
)
KEPT_AS_WRITTEN = ("Domain", "Sub-domain", "Entity", "Intent", "Timing")
"""Columns a row's record keeps verbatim (kg:cell): the risk's classification as the repository wrote it."""
_EV_ID = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:\.?([a-z]+))?$")


def import_mit_risks(path: Path, dataset: SourceDataset, concepts: Concepts, domains: DomainConcepts) -> ImportResult:
    """Paper rows become sources, category and sub-category rows risks, additional evidence skos:example."""
    report = ImportReport(dataset.key, str(path), str(dataset.graph))
    graph = dataset.new_graph()
    risks = _Risks()
    recorded: set[str] = set()
    for row in rows(path, report, REQUIRED, "Ev_ID"):
        try:
            _import_row(graph, row, dataset, concepts, domains, risks, report)
        except RowRejected as rejection:
            report.reject(row.line, rejection.field, rejection.reason, row.get("Ev_ID") or None)
            continue
        report.imported += 1
        kept = [(column, row.cells[column]) for column in KEPT_AS_WRITTEN]
        if any(text.strip() for _, text in kept):
            ev_id = row.get("Ev_ID")
            suffix = f"-line-{row.line}" if ev_id in recorded else ""
            recorded.add(ev_id)
            record = dataset.record(graph, ev_id, f"row {ev_id}", suffix, row.line)
            report.cells += cells(graph, record, kept)
    return ImportResult(graph, report)


class _Risks:
    """The risks seen so far, by evidence ID (the latest row with that ID) and by category and sub-category."""

    def __init__(self) -> None:
        self.by_id: dict[str, URIRef] = {}
        self.by_names: dict[tuple[str, str], URIRef] = {}

    def add(self, ev_id: str, names: tuple[str, str], iri: URIRef) -> None:
        self.by_id[ev_id] = iri
        self.by_names[names] = iri

    def parent(self, ev_id: str, names: tuple[str, str]) -> URIRef | None:
        """The risk some additional evidence is for: the one with the same names, else the same ID."""
        return self.by_names.get(names) or self.by_id.get(ev_id)


def _paper(dataset: SourceDataset, paper_id: str) -> URIRef:
    return ID[f"source/{dataset.key}-paper-{int(paper_id)}"]


def _import_row(
    graph: TripleSet,
    row: Row,
    dataset: SourceDataset,
    concepts: Concepts,
    domains: DomainConcepts,
    risks: _Risks,
    report: ImportReport,
) -> None:
    ev_id = row.get("Ev_ID")
    match = _EV_ID.match(ev_id)
    if not match:
        raise RowRejected("Ev_ID", f"not an evidence ID (like 01.02.00 or 01.02.00.a): {ev_id!r}")
    paper_id, category, sub, extra = match.groups()
    level = row.get("Category level")
    names = (row.get("Risk category"), row.get("Risk subcategory"))
    if level == "Paper":
        if not row.get("Title"):
            raise RowRejected("Title", f"{ev_id}: a paper needs a title")
        paper = _paper(dataset, paper_id)
        graph.add((paper, RDF.type, KG.Source))
        graph.add((paper, DCTERMS.title, Literal(row.get("Title"))))
        graph.add((paper, SKOS.notation, Literal(row.get("QuickRef") or ev_id)))
        graph.add((paper, DCTERMS.isPartOf, dataset.node))
        return
    if level == "Additional evidence":
        parent = risks.parent(f"{paper_id}.{category}.{sub}", names) if extra else None
        if parent is None:
            raise RowRejected("Ev_ID", f"{ev_id}: additional evidence for a risk the database does not list")
        if row.get("Additional ev."):
            graph.add((parent, SKOS.example, Literal(row.get("Additional ev."), lang=LANG)))
        return
    if level not in ("Risk Category", "Risk Sub-Category"):
        raise RowRejected("Category level", f"{ev_id}: unknown category level {level!r}")
    label = row.get("Risk subcategory") if level == "Risk Sub-Category" else row.get("Risk category")
    if not label:
        raise RowRejected("Risk subcategory" if level == "Risk Sub-Category" else "Risk category", f"{ev_id}: no name")
    iri = RISKS.concept(ev_id)
    if ev_id in risks.by_id:
        iri = URIRef(f"{iri}-line-{row.line}")
        report.warn(row.line, "Ev_ID", f"{ev_id} appears twice: this row is kept as a second risk, {iri}")
    broader = risks.by_id.get(f"{paper_id}.{category}.00") if level == "Risk Sub-Category" else None
    risks.add(ev_id, names, iri)
    concepts.describe(graph, RISKS, iri, label)
    graph.add((iri, SKOS.notation, Literal(ev_id)))
    graph.add((iri, DCTERMS.source, _paper(dataset, paper_id)))
    if row.get("Description"):
        graph.add((iri, SKOS.definition, Literal(row.get("Description"), lang=LANG)))
    if broader is not None:
        graph.add((iri, SKOS.broader, broader))
    if row.get("Additional ev."):
        graph.add((iri, SKOS.example, Literal(row.get("Additional ev."), lang=LANG)))
    domains.classify(graph, iri, row, report, ("Domain", "Sub-domain"), _no_classification)


def _no_classification(value: str) -> bool:
    """Empty cells and the repository's "excluded" domain (``X.1 > Excluded``) classify nothing."""
    return not value or value.startswith("X")
