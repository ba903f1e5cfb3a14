"""Refuse, with a 400 that says why, the queries our engine would answer against the SPARQL 1.1 standard.

Two deviations of the engine (pyoxigraph 0.5.13, the newest release) are known from the W3C query-evaluation tests;
they are refused before the query runs rather than answered wrongly:

- ``GRAPH ?g { P MINUS Q }`` where P and Q share no variable: SPARQL removes nothing (the graph variable is not
  shared by the sides of MINUS; W3C ``negation/graph-minus``), the engine removes every row that has a Q in the
  same graph;
- a zero-length path (``P*``, ``P?``) from or to a term that is not in the data: SPARQL matches the term itself,
  the engine matches nothing (W3C ``zero_or_more_set_start/end``, ``zero_or_one_set_start/end``). A path from a
  term the data holds is answered by the engine correctly, so only those queries are refused.

The several default graphs the engine adds up instead of merging are answered right by ``kg.dataset_merge``.
Each check costs a parse only when the text could hold the construct (the words, the path operators).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from rdflib.paths import MulPath
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Literal, URIRef, Variable

from kg.errors import QueryError
from kg.namespaces import PREFIXES

if TYPE_CHECKING:
    from kg.store import TripleStore

_STAR_SELECT = re.compile(r"\bselect\s+(?:distinct\s+|reduced\s+)?\*", re.IGNORECASE)
_PATH_OPERATOR = re.compile(r"(?:>|[\w)])\s*[*?](?![\w])")
_MINUS_IN_GRAPH = re.compile(r"\bgraph\b.*\bminus\b", re.IGNORECASE | re.DOTALL)
_IN_DATA = "ASK { { ?term ?p ?o } UNION { ?s ?p ?term } }"


def _may_deviate(sparql: str) -> bool:
    """Whether the text could hold MINUS inside GRAPH, or a ``*``/``?`` path operator (cheap, over-inclusive)."""
    return bool(_MINUS_IN_GRAPH.search(sparql) or _PATH_OPERATOR.search(_STAR_SELECT.sub(" ", sparql)))


def _nodes(node: object, in_graph: bool = False) -> Iterator[tuple[CompValue, bool]]:
    """Every algebra node below ``node`` with whether it lies inside ``GRAPH ?variable``."""
    if isinstance(node, CompValue):
        yield node, in_graph
        inner = in_graph or (node.name == "Graph" and isinstance(node.get("term"), Variable))
        for value in node.values():
            yield from _nodes(value, inner)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _nodes(value, in_graph)


def _zero_length_ends(node: CompValue) -> Iterator[URIRef | Literal]:
    """The constant ends of ``P*`` and ``P?`` triples in a basic graph pattern."""
    for subject, path, obj in node.get("triples") or ():
        if isinstance(path, MulPath) and path.mod in ("*", "?"):
            yield from (end for end in (subject, obj) if isinstance(end, (URIRef, Literal)))


def refuse_deviations(store: TripleStore, sparql: str, default_graphs: Sequence[str] | None = None,
                      named_graphs: Sequence[str] | None = None) -> None:
    """Raise QueryError when ``sparql`` is a query the engine would answer against the standard (module doc)."""
    if not _may_deviate(sparql):
        return
    try:
        algebra = translateQuery(parseQuery(sparql), initNs=PREFIXES).algebra
    except Exception:  # noqa: BLE001 - rdflib cannot read it; the engine's own parser will say what is wrong
        return
    for node, in_graph in _nodes(algebra):
        if node.name == "Minus" and in_graph:
            left, right = node.get("p1"), node.get("p2")
            if not (set(getattr(left, "_vars", ())) & set(getattr(right, "_vars", ()))):
                raise QueryError(
                    "refused: MINUS inside GRAPH ?g whose two sides share no variable removes nothing in SPARQL, but "
                    "this service's engine would remove every row (W3C test negation/graph-minus); the MINUS has no "
                    "effect: leave it out, or use FILTER NOT EXISTS if you meant a test within the graph"
                )
        if node.name == "BGP":
            for end in _zero_length_ends(node):
                held = store.query(_IN_DATA, {"term": end}, default_graphs=default_graphs, named_graphs=named_graphs)
                if not getattr(held, "value", True):
                    raise QueryError(
                        f"refused: {end.n3()} is not in the data, so a zero-length path (P* or P?) from or to it "
                        "matches the term itself in SPARQL, but this service's engine would match nothing (W3C tests "
                        f"zero_or_more_set_*); bind it instead: VALUES ?x {{ {end.n3()} }}"
                    )
