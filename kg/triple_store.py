"""The interface every triple store offers (embedded or remote), narrowed to what its callers use, and the
query syntax every store accepts (our engine's).

The rest of the code sees :class:`TripleStore`, which kg.store.EmbeddedStore and kg.remote_store.RemoteStore
implement (a remote SPARQL 1.1 store: Virtuoso, Fuseki, QLever). Bound values enter queries only through
SEP-0007 substitutions (or, remotely, a VALUES block), never by pasting strings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import BinaryIO, Protocol

import pyoxigraph as ox
from rdflib.term import Node

from kg.query_errors import explain
from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.results import QueryResult

_EMPTY = ox.Store()  # parses queries for remote stores (nothing in it to evaluate)


class TripleStore(Protocol):
    """What the library and the server need from a store, embedded or remote."""

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a read-only query; without ``default_graphs`` the default graph is the merge of all graphs."""
        ...

    def query_into(
        self,
        output: BinaryIO,
        sparql: str,
        media_types: Mapping[str, str],
        bindings: Mapping[str, Node] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        base_iri: str | None = None,
    ) -> str | None:
        """Stream the results into ``output`` in ``media_types[kind]`` (kind: solutions, boolean or graph).

        Returns the media type written, or None (writing nothing) when ``media_types`` has none for the kind.
        """
        ...

    def quad_count(self) -> int:
        """Number of quads in the named graphs."""
        ...

    def triple_count(self) -> int:
        """Number of distinct triples over all graphs."""
        ...

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        ...

    def dump(self, output: BinaryIO, media_type: str) -> None:
        """Stream the whole store: N-Quads/TriG keep graphs, triple formats write the union without duplicates."""
        ...

    def version(self) -> str:
        """The data version: the id of the build served (embedded) or of the last load (remote), for caches and releases.

        Raises StoreError when the store cannot be reached.
        """
        ...


def check_syntax(sparql: str, base_iri: str | None = None) -> None:
    """Raise QueryError, with the parser's position, if the engine would not accept ``sparql`` as a query.

    Remote stores check with our engine first, so that a query is accepted or refused (with the same message)
    whichever backend serves it, and no store-specific syntax (Virtuoso's ``DEFINE`` pragmas, updates) or
    extension function (``bif:``, ``sql:``) gets through.

    >>> check_syntax("SELECT ?s WHERE { ?s kg:occurred ?d }")
    >>> check_syntax("SELECT * { ?s ?p ?o FILTER(<bif:file_to_string>(?o)) }")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: The custom function <bif:file_to_string> is not supported
    """
    options: dict[str, object] = {"prefixes": PREFIXES}
    if base_iri is not None:
        options["base_iri"] = base_iri
    try:
        _EMPTY.query(sparql, **options)
    except (SyntaxError, ValueError, RuntimeError) as error:
        raise QueryError(explain(str(error), sparql)) from error
