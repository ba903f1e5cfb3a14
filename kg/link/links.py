"""Turn accepted and reviewed incident links into triples: the SKOS link, a kg:IncidentLink node, and VoID link sets."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, VOID, XSD

from kg.link.candidates import Candidate
from kg.link.records import database_of
from kg.link.review import Decision
from kg.namespaces import GRAPH, ID, KG, bind_prefixes

METHOD = ("kg link v3: blocking on shared organisations, rare title and text words (years at most 10 apart); "
          "logistic regression in two stages (TF-IDF cosine of words and title trigrams, title word coverage, "
          "shared deployer/developer/organisation, names in the other's text, countries, year gap; then ranks) "
          "trained on labelled pairs; exactMatch at or above the model's threshold when best for the right-hand "
          "record, or at or above the lower mutual threshold when an AIAAIC-AIID pair is each record's best")
REVIEWED = "reviewed: a person read both records"
PREDICATES = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch, "related": SKOS.relatedMatch}
DATASETS = {"AIAAIC": GRAPH["aiaaic/2026-05"], "AIID": GRAPH["aiid/2026-06"], "OECD": GRAPH["oecd-aim/sample"]}
TITLES = {"AIAAIC": "AIAAIC Repository", "AIID": "AI Incident Database", "OECD": "OECD AI Incidents Monitor"}


def incident(key: str) -> URIRef:
    return ID[f"incident/{key}"]


def link_node(left: str, right: str) -> URIRef:
    """The IRI of the link between two incidents: ``id/link/<left key>--<right key>``."""
    return ID[f"link/{left}--{right}"]


def add_link(graph: Graph, left: str, right: str, predicate: URIRef, method: str, score: float | None,
             evidence: str) -> None:
    """State the link and describe it with a kg:IncidentLink node."""
    node = link_node(left, right)
    graph.add((incident(left), predicate, incident(right)))
    graph.add((node, RDF.type, KG.IncidentLink))
    graph.add((node, RDF.subject, incident(left)))
    graph.add((node, RDF.predicate, predicate))
    graph.add((node, RDF.object, incident(right)))
    graph.add((node, KG.linkMethod, Literal(method)))
    if score is not None:
        graph.add((node, KG.linkScore, Literal(Decimal(f"{score:.3f}"), datatype=XSD.decimal)))
    if evidence:
        graph.add((node, KG.linkEvidence, Literal(evidence)))


def links_graph(candidates: list[Candidate], decided: dict[tuple[str, str], Decision]) -> Graph:
    """Automatic exactMatch links, overridden and completed by reviewed decisions ('different' removes a link)."""
    graph = bind_prefixes(Graph())
    scored = {(c.left.key, c.right.key): c for c in candidates}
    for key, c in scored.items():
        if c.predicate is not None and key not in decided:
            add_link(graph, c.left.key, c.right.key, c.predicate, METHOD, c.score, c.evidence.describe())
    for (left, right), d in sorted(decided.items()):
        if d.decision in PREDICATES:
            found = scored.get((left, right))
            score = found.score if found else d.score
            evidence = "; ".join(part for part in (d.note, found.evidence.describe() if found else d.evidence) if part)
            add_link(graph, left, right, PREDICATES[d.decision], REVIEWED, score, evidence)
    add_linksets(graph)
    return graph


def add_linksets(graph: Graph) -> None:
    """One void:Linkset per pair of databases and predicate, with its targets and triple count."""
    counts: Counter[tuple[str, str, URIRef]] = Counter()
    for node in graph.subjects(RDF.type, KG.IncidentLink):
        left, right = graph.value(node, RDF.subject), graph.value(node, RDF.object)
        predicate = graph.value(node, RDF.predicate)
        counts[(database_of(str(left)) or "", database_of(str(right)) or "", predicate)] += 1
    for (left, right, predicate), count in sorted(counts.items()):
        name = predicate.rsplit("#", 1)[-1]
        linkset = ID[f"linkset/{left.lower()}-{right.lower()}-{name.lower()}"]
        graph.add((linkset, RDF.type, VOID.Linkset))
        graph.add((linkset, DCTERMS.title, Literal(f"{TITLES[left]} to {TITLES[right]}: skos:{name}", lang="en")))
        graph.add((linkset, VOID.subjectsTarget, DATASETS[left]))
        graph.add((linkset, VOID.objectsTarget, DATASETS[right]))
        graph.add((linkset, VOID.linkPredicate, predicate))
        graph.add((linkset, VOID.triples, Literal(count)))
        for database in (left, right):
            graph.add((DATASETS[database], RDF.type, VOID.Dataset))
