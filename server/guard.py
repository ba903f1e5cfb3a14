"""Refuse queries that would make the server fetch a URL: SERVICE (unless allow-listed), and updates such as LOAD.

The check walks the query's algebra (rdflib's parser), so SERVICE is found however it is nested or spelt
(``\\u0053ERVICE``). Parsing costs milliseconds, so texts that cannot contain the keyword skip it: a SERVICE
clause needs the word ``SERVICE`` in the text, or a ``\\u``/``\\U`` escape that could spell it.
pyoxigraph treats ``FROM``/``FROM NAMED`` as names of stored graphs and fetches nothing; its query parser
rejects updates (``LOAD``), so SERVICE is the one way left, and the worker's network sandbox is the backstop.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node, URIRef, Variable

from kg.namespaces import PREFIXES
from server.errors import FetchRefused, UpdateRefused

rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False  # rdflib never evaluates here; belt and braces all the same

_TRIGGERS = ("service", "\\u", "load")


def _nodes(node: object) -> Iterator[CompValue]:
    """Every algebra node below ``node``, depth first."""
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _nodes(value)


@lru_cache(maxsize=1024)
def service_targets(query: str) -> tuple[Node, ...] | None:
    """The SERVICE targets (IRIs or variables) in ``query``; None if rdflib cannot parse it."""
    try:
        parsed = translateQuery(parseQuery(query), initNs=PREFIXES)
    except Exception:  # noqa: BLE001 - rdflib raises many kinds of error for a text it cannot read
        return None
    return tuple(n.get("term") for n in _nodes(parsed.algebra) if n.name == "ServiceGraphPattern")


def _is_update(text: str) -> bool:
    try:
        parseUpdate(text)
    except (ParseException, Exception):  # noqa: BLE001
        return False
    return True


def service_bindings(query: str, endpoints: Mapping[str, str]) -> dict[str, Node]:
    """The named endpoints (``{"wikidata": IRI}``) that ``query`` calls as ``SERVICE ?name``, to bind by substitution."""
    if "service" not in query.lower():
        return {}
    targets = service_targets(query) or ()
    return {str(t): URIRef(endpoints[str(t)]) for t in targets if isinstance(t, Variable) and str(t) in endpoints}


def check_query(query: str, allowed: frozenset[str], bound: Mapping[str, Node] | None = None) -> None:
    """Raise FetchRefused if ``query`` calls a SERVICE not in ``allowed``, UpdateRefused if it is an update.

    ``SERVICE ?name`` is checked as the endpoint the server binds ``?name`` to (``bound``), never a query's own value.
    """
    lowered = query.lower()
    if not any(word in lowered for word in _TRIGGERS):
        return
    targets = service_targets(query)
    if targets is None:
        if _is_update(query):
            raise UpdateRefused("this endpoint answers queries only: updates (LOAD, INSERT, DROP, ...) are refused")
        if "service" in lowered or "\\u" in lowered:
            raise FetchRefused(
                "the query mentions SERVICE (or uses \\u escapes) and could not be checked for federated calls; "
                "remove SERVICE, or fix the query's syntax"
            )
        return
    for target in targets:
        if isinstance(target, Variable) and str(target) in (bound or {}):
            target = (bound or {})[str(target)]
        if not isinstance(target, URIRef):
            raise FetchRefused("SERVICE with a variable endpoint is refused: name an allowed endpoint IRI")
        if str(target) not in allowed:
            names = ", ".join(sorted(allowed)) or "none"
            raise FetchRefused(
                f"SERVICE <{target}> is refused: this endpoint does not fetch from other servers (allowed: {names})"
            )
