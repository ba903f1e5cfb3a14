"""The triples every imported incident gets: type, identifier, title, description, date, describing pages."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from kg.ingest.triples import TripleSet
from kg.namespaces import KG, SCHEMA


def one_line(text: str) -> str:
    """Whitespace (including newlines inside a cell) folded to single spaces."""
    return " ".join(text.split())


def web_page(graph: TripleSet, page: URIRef, url: str, publisher: URIRef) -> URIRef:
    """A source that is a web page of the database that published it."""
    graph.add((page, RDF.type, KG.WebPage))
    graph.add((page, SCHEMA.url, URIRef(url)))
    graph.add((page, SCHEMA.publisher, publisher))
    return page


def incident(
    graph: TripleSet,
    node: URIRef,
    key: str,
    title: str,
    description: str | None,
    occurred: Literal | None,
    described_by: Iterable[URIRef],
) -> URIRef:
    """State an incident's type, key (as skos:notation), title, description, date and describing sources."""
    graph.add((node, RDF.type, KG.Incident))
    graph.add((node, SKOS.notation, Literal(key)))
    graph.add((node, DCTERMS.title, Literal(one_line(title), lang="en")))
    if description:
        graph.add((node, DCTERMS.description, Literal(one_line(description), lang="en")))
    if occurred is not None:
        graph.add((node, KG.occurred, occurred))
    for source in described_by:
        graph.add((node, KG.describedBy, source))
    return node
