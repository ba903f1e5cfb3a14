"""A named graph as a plain set of triples: what importers write into, turned into N-Quads or an rdflib Graph.

A Python set takes a triple in well under a microsecond, rdflib's in-memory Graph in about ten, and an
import writes close to half a million triples; the build loads them into the store as N-Quads.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import bind_prefixes

Triple = tuple[Node, Node, Node]
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def nquads_term(term: Node) -> str:
    """A term in N-Quads syntax.

    >>> nquads_term(Literal('say "hi"', lang="en"))
    '"say \\\\"hi\\\\""@en'
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype and str(term.datatype) != XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


class TripleSet:
    """The triples of one named graph (``identifier``), as a set."""

    def __init__(self, identifier: URIRef, triples: Iterable[Triple] = ()) -> None:
        self.identifier = identifier
        self._triples: set[Triple] = set(triples)

    def add(self, triple: Triple) -> None:
        self._triples.add(triple)

    def update(self, triples: Iterable[Triple]) -> None:
        self._triples.update(triples)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self._triples)

    def __len__(self) -> int:
        return len(self._triples)

    def __contains__(self, triple: object) -> bool:
        return triple in self._triples

    def subjects(self, predicate: Node, obj: Node) -> set[Node]:
        """Subjects of triples with this predicate and object."""
        return {s for s, p, o in self._triples if p == predicate and o == obj}

    def objects(self, subject: Node, predicate: Node) -> set[Node]:
        """Objects of triples with this subject and predicate."""
        return {o for s, p, o in self._triples if s == subject and p == predicate}

    def nquads(self) -> str:
        """The triples as N-Quads in this graph, one line each."""
        graph = f" <{self.identifier}> .\n"
        return "".join(f"{nquads_term(s)} {nquads_term(p)} {nquads_term(o)}{graph}" for s, p, o in self._triples)

    def to_graph(self) -> Graph:
        """An rdflib Graph with the same triples (for tests and for pyshacl)."""
        graph = bind_prefixes(Graph(identifier=self.identifier))
        for triple in self._triples:
            graph.add(triple)
        return graph
