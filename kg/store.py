"""The embedded triple store (pyoxigraph, on disk or in memory) and the builds folder it is read from.

The interface every store offers is kg.triple_store.TripleStore, the result types and their conversions are
kg.results; both are re-exported here for the code that imports them from the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib.term import Node

from kg import dataset_merge
from kg.errors import NotFound, QueryError, StoreError
from kg.namespaces import PREFIXES
from kg.results import (
    DEFAULT,
    XSD_STRING,
    Boolean,
    QueryResult,
    Solutions,
    Triples,
    convert_rdf,
    convert_results,
    count_results,
    from_ox,
    to_ox,
)
from kg.results import rdf_format as _rdf_format
from kg.results import results_format as _results_format
from kg.triple_store import TripleStore, check_syntax
from kg.query_errors import explain

__all__ = [
    "BUILDS", "CURRENT", "DEFAULT", "XSD_STRING", "Boolean", "EmbeddedStore", "QueryResult", "Solutions",
    "TripleStore", "Triples", "check_syntax", "convert_rdf", "convert_results", "count_results",
    "from_ox", "to_ox",
]
CURRENT = "current"
BUILDS = "builds"
KEEP_BUILDS = 2
PARTIAL = ".partial"
LINK_SUFFIX = ".tmp"


@contextmanager
def _engine_errors(sparql: str = "") -> Iterator[None]:
    """Translate the engine's errors, raised when a query is parsed or while its results are read, into ours."""
    try:
        yield
    except (SyntaxError, RuntimeError) as error:
        raise QueryError(explain(str(error), sparql)) from error
    except OSError as error:
        raise StoreError(f"the query failed in the store or in a SERVICE endpoint it called: {error}") from error


class EmbeddedStore:
    """A pyoxigraph store, on disk (the default) or in memory."""

    def __init__(self, store: ox.Store, location: Path | None = None) -> None:
        self._store = store
        self.location = location

    @classmethod
    def open(cls, path: Path, *, in_memory: bool = False) -> EmbeddedStore:
        """Open the current build under ``path`` read-only, or copy it into memory when ``in_memory``."""
        current = Path(path) / CURRENT
        if not current.exists():
            raise NotFound(f"no store at {path}: run 'kg build' first")
        try:
            disk = ox.Store.read_only(str(current.resolve()))
        except OSError as error:
            raise StoreError(f"cannot open the store at {path}: {error}") from error
        if not in_memory:
            return cls(disk, current.resolve())
        memory = ox.Store()
        memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
        return cls(memory, current.resolve())

    @classmethod
    def open_build(cls, build: Path, *, in_memory: bool = False) -> EmbeddedStore:
        """Open one build directory (``<store>/builds/<id>``) read-only, or copy it into memory."""
        if not Path(build).is_dir():
            raise NotFound(f"no store build at {build}")
        try:
            disk = ox.Store.read_only(str(build))
        except OSError as error:
            raise StoreError(f"cannot open the store at {build}: {error}") from error
        if not in_memory:
            return cls(disk, Path(build))
        memory = ox.Store()
        memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
        return cls(memory, Path(build))

    @classmethod
    def in_memory(cls) -> EmbeddedStore:
        """A new empty store in memory (tests, scratch work)."""
        return cls(ox.Store())

    # -- reading ---------------------------------------------------------------------------------

    def _run(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        if (merge := dataset_merge.plan(sparql, default_graphs, named_graphs)) is not None:
            if merge.needs_merge:  # the engine adds several default graphs up: run on their RDF merge
                scratch = dataset_merge.MERGES.store_for(merge, f"{self.version()}@{id(self)}", self.graph_names(), self.graph_ntriples)
                return scratch._run(merge.query, bindings, None, None, base_iri)
            sparql, default_graphs, named_graphs = merge.query, merge.default_graphs, merge.named_graphs
        try:
            substitutions = {ox.Variable(name): to_ox(value) for name, value in (bindings or {}).items()}
            options: dict[str, object] = {"prefixes": PREFIXES, "substitutions": substitutions}
            if base_iri is not None:
                options["base_iri"] = base_iri
            if default_graphs is not None:
                options["default_graph"] = [ox.NamedNode(iri) for iri in default_graphs]
            if named_graphs is not None:
                options["named_graphs"] = [ox.NamedNode(iri) for iri in named_graphs]
        except (ValueError, TypeError) as error:
            raise QueryError(f"cannot bind the query's values or graphs: {error}") from error
        with _engine_errors(sparql):
            return self._store.query(sparql, **options)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a read-only query.

        >>> store = EmbeddedStore.in_memory()
        >>> store.load(b'<http://ex/a> <http://ex/p> "1" <http://ex/g> .', "application/n-quads")
        >>> store.merge_graphs_into_default()
        >>> store.query("SELECT ?o WHERE { ?s ?p ?o }").rows
        [{'o': rdflib.term.Literal('1')}]
        """
        result = self._run(sparql, bindings, default_graphs, named_graphs)
        with _engine_errors():  # evaluation is lazy: the engine may fail while rows are read
            if isinstance(result, ox.QueryBoolean):
                return Boolean(bool(result))
            convert = _converter()
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                rows = [
                    {name: convert(value) for name in variables if (value := solution[name]) is not None}
                    for solution in result
                ]
                return Solutions(variables, rows)
            return Triples([(convert(t.subject), convert(t.predicate), convert(t.object)) for t in result])

    def query_serialized(
        self,
        sparql: str,
        media_type: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> bytes:
        """Run a query and serialise its results with the engine's own writers."""
        result = self._run(sparql, bindings, default_graphs, named_graphs)
        if isinstance(result, ox.QueryTriples):
            with _engine_errors():
                return result.serialize(format=_rdf_format(media_type)) or b""
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        if fmt is None:
            raise QueryError(f"unsupported results media type: {media_type}")
        with _engine_errors():
            return result.serialize(format=fmt) or b""

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
        """Run a query and stream its results, serialised by the engine, into ``output``.

        ``media_types`` maps the kind of result (``solutions``, ``boolean``, ``graph``) to the media type
        wanted for it. Evaluation is lazy, so an exception raised by ``output.write`` (a size cap) stops it.
        Relative IRIs in the query resolve against ``base_iri`` (a service's endpoint, say).

        >>> import io
        >>> store = EmbeddedStore.in_memory()
        >>> out = io.BytesIO()
        >>> store.query_into(out, "ASK {}", {"boolean": "text/tab-separated-values"})
        'text/tab-separated-values'
        >>> out.getvalue(), store.query_into(out, "ASK {}", {"solutions": "text/csv"})
        (b'true', None)
        """
        result = self._run(sparql, bindings, default_graphs, named_graphs, base_iri)
        kind = "graph" if isinstance(result, ox.QueryTriples) else "boolean" if isinstance(result, ox.QueryBoolean) else "solutions"
        media_type = media_types.get(kind)
        if media_type is None:
            return None
        with _engine_errors():
            if kind == "graph":
                prefixes = PREFIXES if _rdf_format(media_type) in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
                ox.serialize(result, output, format=_rdf_format(media_type), prefixes=prefixes)
            else:
                result.serialize(output, format=_results_format(media_type))
        return media_type

    def quad_count(self) -> int:
        """Number of quads in the named graphs (the merged default graph not counted)."""
        return len(self._store) - self.triple_count()

    def triple_count(self) -> int:
        """Number of distinct triples (the merged default graph), counted by the engine."""
        solutions = self._store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert isinstance(solutions, ox.QuerySolutions)
        return int(next(iter(solutions))[0].value)

    def graph_names(self) -> list[str]:
        """IRIs of the named graphs, sorted."""
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def dump(self, output: BinaryIO, media_type: str) -> None:
        """Stream the store to ``output``: dataset formats get the named graphs, triple formats the merge."""
        fmt = _rdf_format(media_type)
        prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
        if fmt.supports_datasets:
            graphs = self._store.named_graphs()
            named = (q for graph in graphs for q in self._store.quads_for_pattern(None, None, None, graph))
            ox.serialize(named, output, format=fmt, prefixes=prefixes)
        else:
            self._store.dump(output, format=fmt, from_graph=DEFAULT, prefixes=prefixes)

    def version(self) -> str:
        """The build's id (its folder's name; ``memory`` for a store made in memory)."""
        return self.location.name if self.location is not None else "memory"

    def graph_ntriples(self, graph: str | None) -> bytes:
        """One named graph (or, for None, the merged default graph) as N-Triples, to copy it elsewhere."""
        target = ox.NamedNode(graph) if graph else DEFAULT
        return self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=target) or b""

    # -- writing (only while building) ----------------------------------------------------------

    def load(self, data: bytes, media_type: str, graph: str | None = None) -> None:
        """Add serialised RDF; triple formats go into ``graph`` (or the default graph)."""
        target = ox.NamedNode(graph) if graph else None
        try:
            self._store.load(data, format=_rdf_format(media_type), to_graph=target)
        except (SyntaxError, ValueError) as error:
            raise StoreError(f"cannot load data into the store: {error}") from error

    def compact(self) -> None:
        """Write what is buffered and compact the files (once a build is filled: aggregates then run about twice as
        fast as on the files the bulk loader and the derivations leave, tests/bench/endpoint.py)."""
        try:
            self._store.flush()
            self._store.optimize()
        except OSError as error:
            raise StoreError(f"cannot compact the store at {self.location}: {error}") from error

    def bulk_load(self, data: bytes, media_type: str) -> None:
        """Add a large serialised dataset at once, outside a transaction (only while building a fresh store)."""
        try:
            self._store.bulk_load(data, format=_rdf_format(media_type))
        except (SyntaxError, ValueError) as error:
            raise StoreError(f"cannot load data into the store: {error}") from error

    def add_triples(self, triples: Iterable[tuple[Node, Node, Node]], graph: str) -> None:
        """Add triples to one named graph and to the merged default graph."""
        targets = (ox.NamedNode(graph), DEFAULT)
        self._store.extend(ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples for g in targets)

    def merge_graphs_into_default(self) -> None:
        """Make the default graph the RDF merge (a set) of all named graphs.

        Queries then see every statement once, whichever and however many sources state it, while the
        named graphs keep who stated what. (Oxigraph's union-default-graph option is a multiset.)
        """
        self._store.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")


def _converter() -> Callable[[ox.NamedNode | ox.BlankNode | ox.Literal], Node]:
    """from_ox with a memory for one result: the same predicate, class or label comes back many times."""
    seen: dict[object, Node] = {}

    def convert(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
        found = seen.get(term)
        if found is None:
            found = seen[term] = from_ox(term)
        return found

    return convert
