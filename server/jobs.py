"""What a query worker can be asked to do: each job is a small frozen dataclass that runs itself on the store.

A job is picklable (it crosses the pipe to a worker process), hashable (it is its own cache key, with the data
version) and has one method, ``run(store, limits)``, called in the worker; what it returns is pickled back.
A new kind of job (a full-text search over an index file in the build folder, say) is one more dataclass with a
``run`` method: the pool, the worker loop and the executor take any job. The two basic kinds are here:

- :class:`SparqlQuery`, a client's SPARQL text, checked (SERVICE, updates), run and serialised by the engine;
- :class:`NamedQuery`, a ``.rq`` file of kg/queries with values bound by substitution (or written in as a VALUES
  block), answered as Python values (rows, a boolean, triples) or serialised in a media type.

Both are capped: evaluation stops once the serialised result is over ``max_result_bytes``, and a result over
``max_rows`` rows or triples is refused whole (ResultTooLarge), never cut. Composite jobs (the Linked Data
pages, VoID) live in server/page_jobs.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from rdflib.term import Node

from kg import queries
from kg.engine_deviations import refuse_deviations
from kg.errors import ResultTooLarge, StoreError
from kg.result_rows import may_exceed
from kg.sparql_values import with_values
from kg.store import Solutions, Triples, TripleStore, count_results
from server.guard import check_query, service_bindings
from server.representable import check_well_formed, unrepresentable

Pairs = tuple[tuple[str, Node], ...]


@dataclass(frozen=True)
class Limits:
    """The caps a worker applies to every job."""

    max_rows: int
    max_result_bytes: int
    service_allow: frozenset[str] = frozenset()


class Job(Protocol):
    """Anything a worker can run: a frozen, picklable dataclass whose ``run`` answers on the worker's store."""

    def run(self, store: TripleStore, limits: Limits) -> object: ...


@dataclass(frozen=True)
class Serialized:
    """A result written by the engine: its media type and bytes."""

    media_type: str
    body: bytes


def pairs(values: Mapping[str, Node] | Pairs | None) -> Pairs:
    """Bindings as a sorted tuple of (name, term): hashable, so a job can be a cache key."""
    if not values:
        return ()
    items = values.items() if isinstance(values, Mapping) else values
    return tuple(sorted(items, key=lambda item: item[0]))


class _OverCap(Exception):
    """Raised by the buffer to stop the engine once the result is over the byte cap."""


class CappedBuffer:
    """A write-only binary sink that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise _OverCap
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: the parts stay in memory."""

    def getvalue(self) -> bytes:
        return b"".join(self._parts)


def serialized(store: TripleStore, limits: Limits, sparql: str, media_types: Mapping[str, str],
               bindings: Mapping[str, Node] | None = None, **dataset: object) -> Serialized | None:
    """Run ``sparql`` and serialise its result within the caps (None: no media type for its kind of result)."""
    sink = CappedBuffer(limits.max_result_bytes)
    try:
        media_type = store.query_into(sink, sparql, media_types, bindings, **dataset)  # type: ignore[arg-type]
    except _OverCap:
        raise ResultTooLarge(
            f"the result is larger than {limits.max_result_bytes} bytes: add LIMIT or select fewer columns"
        ) from None
    except StoreError as error:
        refusal = unrepresentable(error)
        if refusal is None:
            raise
        raise refusal from error
    if media_type is None:
        return None
    body = sink.getvalue()
    check_well_formed(body, media_type)
    if may_exceed(len(body), media_type, limits.max_rows) and count_results(body, media_type) > limits.max_rows:
        raise ResultTooLarge(
            f"the result has more than {limits.max_rows} rows (or triples): add LIMIT {limits.max_rows} or narrow "
            "the query; results are never cut silently"
        )
    return Serialized(media_type, body)


@dataclass(frozen=True)
class SparqlQuery:
    """A client's query: its text, the media type wanted for each kind of result, the protocol's dataset.

    ``endpoints`` names the SERVICE endpoints a query may call as ``SERVICE ?name`` (bound by the worker).
    """

    query: str
    media_types: tuple[tuple[str, str], ...] | Mapping[str, str]
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    bindings: Pairs | Mapping[str, Node] | None = None
    base_iri: str | None = None
    endpoints: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "media_types", tuple(sorted(dict(self.media_types).items())))
        object.__setattr__(self, "bindings", pairs(self.bindings))

    def run(self, store: TripleStore, limits: Limits) -> Serialized | None:
        bound = {**service_bindings(self.query, dict(self.endpoints)), **dict(self.bindings or ())}  # type: ignore[arg-type]
        check_query(self.query, limits.service_allow, bound)
        refuse_deviations(store, self.query, self.default_graphs, self.named_graphs)
        return serialized(store, limits, self.query, dict(self.media_types), bound or None,  # type: ignore[arg-type]
                          default_graphs=self.default_graphs, named_graphs=self.named_graphs, base_iri=self.base_iri)


@dataclass(frozen=True)
class NamedQuery:
    """A query of kg/queries by name, with its values bound; Python values back, or serialised in ``media_type``.

    With ``as_values`` the values are written into the text as a VALUES block (kg.sparql_values, each term checked
    and escaped) instead of substituted: the embedded store's substitution does not reach a variable inside FILTER,
    EXISTS or a sub-select, so a query with optional filters (``!BOUND(?country) || …``) needs them written in.
    """

    name: str
    bindings: Pairs = ()
    media_type: str | None = None
    as_values: bool = False

    def text(self) -> str:
        """The text that runs: the query, with ``as_values`` its values in a VALUES block (what a page links to)."""
        text = queries.load(self.name)
        return with_values(text, dict(self.bindings)) if self.as_values else text

    def run(self, store: TripleStore, limits: Limits) -> object:
        text = self.text()
        bound = None if self.as_values else dict(self.bindings)
        if self.media_type is not None:
            kinds = {"solutions": self.media_type, "boolean": self.media_type, "graph": self.media_type}
            return serialized(store, limits, text, kinds, bound)
        result = store.query(text, bound)
        size = len(result.rows) if isinstance(result, Solutions) else len(result.triples) if isinstance(result, Triples) else 0
        if size > limits.max_rows:
            raise ResultTooLarge(f"the query {self.name} has more than {limits.max_rows} results")
        return result
