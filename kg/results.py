"""Query results as the rest of the code sees them, and their conversions: terms, counts, other formats.

Terms cross the store boundary as rdflib terms (:func:`to_ox` / :func:`from_ox` convert); remote stores'
serialised answers are rewritten with the engine's own writers (:func:`convert_results`, :func:`convert_rdf`),
and a serialised result's rows are counted exactly to enforce a row cap (:func:`count_results`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError, StoreError
from kg.namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
DEFAULT = ox.DefaultGraph()


@dataclass(frozen=True)
class Solutions:
    """The answer to a SELECT: variable names in order, and one dict per row (unbound variables absent)."""

    variables: list[str]
    rows: list[dict[str, Node]]


@dataclass(frozen=True)
class Boolean:
    """The answer to an ASK."""

    value: bool


@dataclass(frozen=True)
class Triples:
    """The answer to a CONSTRUCT or DESCRIBE."""

    triples: list[tuple[Node, Node, Node]] = field(default_factory=list)


QueryResult = Solutions | Boolean | Triples


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to pyoxigraph's."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot use {term!r} as an RDF term")


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    """Convert a pyoxigraph term to rdflib's (plain strings stay plain)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"unsupported term {term!r}")


def rdf_format(media_type: str) -> ox.RdfFormat:
    """The engine's RDF format for ``media_type`` (QueryError when it has none)."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise QueryError(f"unsupported RDF media type: {media_type}")
    return fmt


def results_format(media_type: str) -> ox.QueryResultsFormat:
    """The engine's results format for ``media_type`` (QueryError when it has none)."""
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt is None:
        raise QueryError(f"unsupported results media type: {media_type}")
    return fmt


def count_results(data: bytes, media_type: str) -> int:
    """How many solutions or triples serialised query results hold (to enforce a row cap exactly).

    >>> count_results(b'?s\\n<http://a>\\n<http://b>\\n', "text/tab-separated-values")
    2
    >>> count_results(b'<http://a> <http://b> "1", "2" .', "text/turtle")
    2
    >>> count_results(b'x\\r\\n"two\\r\\nlines"\\r\\n', "text/csv")
    1
    """
    rdf = ox.RdfFormat.from_media_type(media_type)
    if rdf is None and results_format(media_type) == ox.QueryResultsFormat.CSV:  # written, not read, by the engine
        return max(0, sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) - 1)
    try:
        if rdf is not None:
            return sum(1 for _ in ox.parse(data, format=rdf))
        results = ox.parse_query_results(data, format=results_format(media_type))
    except SyntaxError as error:
        raise QueryError(f"cannot read serialised results: {error}") from error
    return 1 if isinstance(results, ox.QueryBoolean) else sum(1 for _ in results)


def convert_results(data: bytes, from_media_type: str, output: BinaryIO, to_media_type: str) -> None:
    """Rewrite serialised SELECT/ASK results in another results format, with the engine's writers (remote stores)."""
    try:
        results = ox.parse_query_results(data, format=results_format(from_media_type))
    except SyntaxError as error:
        raise StoreError(f"the store sent results that cannot be read: {error}") from error
    results.serialize(output, format=results_format(to_media_type))


def convert_rdf(
    parts: Iterable[tuple[bytes, str | None]], from_media_type: str, output: BinaryIO, to_media_type: str
) -> None:
    """Rewrite serialised RDF, each part put in its graph (None: the default), in another format (remote stores).

    Written as the embedded store writes it: Turtle and TriG with our prefixes; triple formats get the triples.
    """
    fmt = rdf_format(to_media_type)
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    quads: list[ox.Quad | ox.Triple] = []
    try:
        for data, graph in parts:
            target = ox.NamedNode(graph) if graph else DEFAULT
            for quad in ox.parse(data, format=rdf_format(from_media_type)):
                quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, target) if fmt.supports_datasets
                             else ox.Triple(quad.subject, quad.predicate, quad.object))
    except SyntaxError as error:
        raise StoreError(f"the store sent RDF that cannot be read: {error}") from error
    ox.serialize(quads, output, format=fmt, prefixes=prefixes)
