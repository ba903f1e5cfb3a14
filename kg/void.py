"""A VoID description of the dataset: counts, class and property partitions, where to query and download it, licence."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, VOID

from kg import queries
from kg.describe import exists
from kg.licence import LICENCE, rights_statement
from kg.namespaces import ID, ONTOLOGY_IRI, PREFIXES, bind_prefixes
from kg.store import Triples, TripleStore

EXAMPLES = (ID["incident/AIAAIC0288"], ID["org/nec"], ID["concept/ethical-issue/privacy"])
"""Resources to show first (those the graph holds are listed as void:exampleResource)."""
VOCABULARIES = ("kg", "skos", "dct", "prov", "schema", "rdfs", "airo", "org")


def describe_dataset(
    store: TripleStore, dataset: URIRef, endpoint: str, dumps: Sequence[str], homepage: str | None = None
) -> Graph:
    """VoID for ``dataset``: statistics from ``store``, its SPARQL ``endpoint`` and ``dumps`` (download URLs)."""
    result = store.query(queries.load("void"), {"dataset": dataset})
    assert isinstance(result, Triples)
    graph = bind_prefixes(Graph())
    for triple in result.triples:
        graph.add(triple)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal("AI Incidents knowledge graph", lang="en")))
    graph.add((dataset, DCTERMS.description, Literal(
        "AI incidents, the AI systems involved, the organisations that deployed and developed them, issues, harms, "
        "sources, claims and timelines, joined from public incident databases.", lang="en")))
    graph.add((dataset, DCTERMS.license, LICENCE))
    graph.add((dataset, DCTERMS.rights, Literal(rights_statement(store), lang="en")))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(endpoint)))
    for url in dumps:
        graph.add((dataset, VOID.dataDump, URIRef(url)))
    graph.add((dataset, VOID.uriSpace, Literal(str(ID))))
    for example in EXAMPLES:
        if exists(store, example):
            graph.add((dataset, VOID.exampleResource, example))
    for name in VOCABULARIES:
        graph.add((dataset, VOID.vocabulary, URIRef(PREFIXES[name]) if name != "kg" else ONTOLOGY_IRI))
    graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/Turtle")))
    graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Triples")))
    graph.add((dataset, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")))
    if homepage:
        graph.add((dataset, FOAF.homepage, URIRef(homepage)))
    graph.bind("foaf", str(FOAF), override=True)
    return graph
