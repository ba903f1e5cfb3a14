"""Import the public incident datasets into graphs, one named graph per source dataset and snapshot.

Importers are pure functions from source files to the triples of a named graph and an ImportReport; ``ingest`` runs
them in a fixed order, sharing the concept and organisation tables so that every source mints the same
IRIs, and returns the graphs, the reports and the organisation merge candidates for review.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.ingest import catalogue as cat
from kg.ingest.aiaaic import import_aiaaic
from kg.ingest.aiid import import_aiid_duplicates, import_aiid_incidents
from kg.ingest.aiid_taxonomies import (
    import_cset_classifications,
    import_gmf_classifications,
    import_mit_classifications,
)
from kg.ingest.concepts import Concepts, read_drift, read_jurisdictions
from kg.ingest.mit_risk import import_mit_risks
from kg.ingest.mit_taxonomy import DomainConcepts, import_domain_taxonomy, read_domain_taxonomy
from kg.ingest.oecd import import_oecd
from kg.ingest.organisations import Agents, read_aliases, read_kinds
from kg.ingest.report import ImportReport, ImportResult, Problem, RowsRejected
from kg.ingest.review import Candidate, candidates
from kg.ingest.triples import TripleSet
from kg.namespaces import GRAPH, ID, KG

ALIASES_GRAPH = GRAPH["organisations/aliases"]

__all__ = ["ImportReport", "ImportResult", "Ingested", "Problem", "RowsRejected", "ingest"]


@dataclass(frozen=True)
class Ingested:
    """Everything the importers produced: graphs with reports, and organisations to review."""

    results: list[ImportResult] = field(default_factory=list)
    review: list[Candidate] = field(default_factory=list)

    @property
    def reports(self) -> list[ImportReport]:
        return [r.report for r in self.results]

    @property
    def rejected(self) -> list[Problem]:
        return [p for r in self.reports for p in r.rejected]


def curated_labels(curated: Dataset | None) -> tuple[dict[URIRef, str], dict[URIRef, str]]:
    """Preferred labels of curated concepts, and labels of curated agents, which imports must reuse."""
    concepts: dict[URIRef, str] = {}
    agents: dict[URIRef, str] = {}
    if curated is None:
        return concepts, agents
    for s, _, o, _ in curated.quads((None, SKOS.prefLabel, None, None)):
        if isinstance(s, URIRef) and str(s).startswith(str(ID)):
            concepts.setdefault(s, str(o))
    for s, _, o, _ in curated.quads((None, RDFS.label, None, None)):
        if isinstance(s, URIRef) and any(str(s).startswith(str(ID[k])) for k in ("org/", "person/", "group/")):
            agents.setdefault(s, str(o))
    return concepts, agents


def ingest(data_dir: Path, curated: Dataset | None = None) -> Ingested:
    """Import every source file present below ``data_dir/sources``, in a fixed order."""
    sources = data_dir / "sources"
    if not sources.is_dir():
        return Ingested()
    preferred, agent_labels = curated_labels(curated)
    concepts = Concepts(
        read_drift(data_dir / "concepts" / "label-drift.csv"),
        read_jurisdictions(data_dir / "concepts" / "jurisdictions.csv"),
        preferred,
    )
    agents = Agents(
        read_aliases(data_dir / "organisations" / "aliases.csv"),
        read_kinds(data_dir / "organisations" / "kinds.csv"),
        agent_labels,
    )
    results: list[ImportResult] = []

    def run(source: cat.SourceFile, importer: Callable[..., ImportResult], **tables: object) -> None:
        if (sources / source.path).is_file():
            results.append(importer(sources / source.path, source.dataset, **tables))

    run(cat.AIAAIC_2026_05, import_aiaaic, concepts=concepts, agents=agents)
    run(cat.AIAAIC_2025_12, import_aiaaic, concepts=concepts, agents=agents)
    run(cat.AIID_2026_06, import_aiid_incidents, agents=agents)
    run(cat.AIID_2026_02, import_aiid_incidents, agents=agents)
    run(cat.AIID_DUPLICATES, import_aiid_duplicates)
    incidents = {s for r in results for s in r.graph.subjects(RDF.type, KG.Incident)}
    taxonomy = sources / cat.MIT_DOMAINS.path
    domains = DomainConcepts(read_domain_taxonomy(taxonomy) if taxonomy.is_file() else {}, concepts)
    run(cat.MIT_DOMAINS, import_domain_taxonomy, domains=domains)
    run(cat.MIT_RISKS, import_mit_risks, concepts=concepts, domains=domains)
    run(cat.AIID_MIT, import_mit_classifications, domains=domains, incidents=incidents)
    run(cat.AIID_GMF, import_gmf_classifications, concepts=concepts, incidents=incidents)
    run(cat.AIID_CSET, import_cset_classifications, concepts=concepts, incidents=incidents)
    run(cat.OECD_SAMPLE, import_oecd, concepts=concepts)
    aliases = agents.alias_graph(TripleSet(ALIASES_GRAPH))
    alias_report = ImportReport(
        "organisation-aliases",
        str(data_dir / "organisations" / "aliases.csv"),
        str(ALIASES_GRAPH),
        len(agents.aliases),
        len(agents.aliases),
        matches=dict(sorted(agents.matched.items())),
    )
    results.append(ImportResult(aliases, alias_report))
    return Ingested(results, candidates(agents.names, agents.near_collisions))
