"""Turn accepted Wikidata review rows into triples (schema:sameAs, a kg:WikidataLink node, a VoID link set); run it all.

schema:sameAs, not owl:sameAs: a Wikidata item and our node describe the same thing, but under OWL semantics
owl:sameAs would merge every statement of either into the other (Wikidata's item for a company often covers
its subsidiaries and history; our node covers one role in incidents), and a reasoner would then carry wrong
statements across. schema:sameAs says "this item identifies the same thing" without that entailment, is how
schema.org and Wikidata themselves point at each other, and our classes are aligned to schema.org.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from kg.link.wikidata import WikidataEndpoint, read_entities, reconcile
from kg.link.wikidata_review import WikidataDecision, read_wikidata_decisions, write_wikidata_review
from kg.link.wikidata_scoring import WikidataCandidate
from kg.namespaces import BASE, ID, KG, SCHEMA, bind_prefixes
from kg.store import TripleStore

REVIEWED = "reviewed: a person compared our node with the Wikidata item and accepted it"
OUR_DATASET = URIRef(BASE)
WIKIDATA = URIRef("http://www.wikidata.org/")
LINKSET = ID["linkset/wikidata-sameas"]


def link_node(iri: str) -> URIRef:
    """``id/link/wikidata/<kind>/<key>`` for our thing ``id/<kind>/<key>``."""
    return ID["link/wikidata/" + iri.removeprefix(str(ID))]


def wikidata_links_graph(decided: dict[tuple[str, str], WikidataDecision]) -> Graph:
    """The accepted decisions as stated links, described link nodes, and one void:Linkset counting them."""
    graph = bind_prefixes(Graph())
    count = 0
    for (iri, candidate), d in sorted(decided.items()):
        if d.decision != "accept":
            continue
        ours, item, node = URIRef(iri), URIRef(candidate), link_node(iri)
        graph.add((ours, SCHEMA.sameAs, item))
        graph.add((node, RDF.type, KG.WikidataLink))
        graph.add((node, RDF.subject, ours))
        graph.add((node, RDF.predicate, SCHEMA.sameAs))
        graph.add((node, RDF.object, item))
        graph.add((node, KG.linkMethod, Literal(REVIEWED)))
        if d.score is not None:
            graph.add((node, KG.linkScore, Literal(Decimal(f"{d.score:.3f}"))))
        evidence = "; ".join(part for part in (d.note, d.evidence) if part)
        if evidence:
            graph.add((node, KG.linkEvidence, Literal(evidence)))
        count += 1
    graph.add((LINKSET, RDF.type, VOID.Linkset))
    graph.add((LINKSET, DCTERMS.title, Literal("AI Incidents knowledge graph to Wikidata: schema:sameAs", lang="en")))
    graph.add((LINKSET, VOID.subjectsTarget, OUR_DATASET))
    graph.add((LINKSET, VOID.objectsTarget, WIKIDATA))
    graph.add((LINKSET, VOID.linkPredicate, SCHEMA.sameAs))
    graph.add((LINKSET, VOID.triples, Literal(count)))
    graph.add((OUR_DATASET, RDF.type, VOID.Dataset))
    graph.add((WIKIDATA, RDF.type, VOID.Dataset))
    graph.add((WIKIDATA, DCTERMS.title, Literal("Wikidata", lang="en")))
    graph.add((WIKIDATA, VOID.uriSpace, Literal("http://www.wikidata.org/entity/")))
    return graph


@dataclass(frozen=True)
class WikidataResult:
    """What a Wikidata run produced: the candidates (empty without an endpoint), review rows, and the links."""

    candidates: list[WikidataCandidate]
    review_rows: int
    links: Graph

    @property
    def suggested(self) -> int:
        return sum(1 for c in self.candidates if c.suggested)

    @property
    def accepted(self) -> int:
        return sum(1 for _ in self.links.subjects(RDF.type, KG.WikidataLink))


def link_wikidata(store: TripleStore, endpoint: str | None, review: Path, links_out: Path | None = None,
                  timeout: float = 60.0) -> WikidataResult:
    """Ask ``endpoint`` (if given) for candidates and rewrite ``review`` keeping its decisions; write the links."""
    decided = read_wikidata_decisions(review)
    candidates: list[WikidataCandidate] = []
    rows = 0
    if endpoint:
        client = WikidataEndpoint(endpoint, timeout)
        try:
            candidates = reconcile(read_entities(store), client)
        finally:
            client.close()
        rows = write_wikidata_review(review, candidates, decided)
    graph = wikidata_links_graph(decided)
    if links_out is not None:
        links_out.parent.mkdir(parents=True, exist_ok=True)
        graph.serialize(destination=links_out, format="turtle")
    return WikidataResult(candidates, rows, graph)
