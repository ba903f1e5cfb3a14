"""The only module that touches the triple store: the interface every store offers, and the embedded one.

The rest of the code sees :class:`TripleStore`, which a remote SPARQL 1.1 store (Virtuoso, Fuseki,
QLever) can also implement. Terms cross the boundary as rdflib terms; bound values enter queries only
through SEP-0007 substitutions, never by pasting strings.
"""

from __future__ import annotations

import csv
import errno
import gc
import io
import os
import shutil
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.errors import NotFound, QueryError, StoreError
from kg.namespaces import PREFIXES
from kg.query_errors import explain

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
CURRENT = "current"
DEFAULT = ox.DefaultGraph()
BUILDS = "builds"
KEEP_BUILDS = 2
PARTIAL = ".partial"
LINK_SUFFIX = ".tmp"
_EMPTY = ox.Store()  # parses queries for remote stores (nothing in it to evaluate)


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

    def query_serialized(
        self,
        sparql: str,
        media_type: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> bytes:
        """Run a query and return its results already serialised in ``media_type``."""
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


def _rdf_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise QueryError(f"unsupported RDF media type: {media_type}")
    return fmt


def _results_format(media_type: str) -> ox.QueryResultsFormat:
    fmt = ox.QueryResultsFormat.from_media_type(media_type)
    if fmt is None:
        raise QueryError(f"unsupported results media type: {media_type}")
    return fmt


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
    if rdf is None and _results_format(media_type) == ox.QueryResultsFormat.CSV:  # written, not read, by the engine
        return max(0, sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) - 1)
    try:
        if rdf is not None:
            return sum(1 for _ in ox.parse(data, format=rdf))
        results = ox.parse_query_results(data, format=_results_format(media_type))
    except SyntaxError as error:
        raise QueryError(f"cannot read serialised results: {error}") from error
    return 1 if isinstance(results, ox.QueryBoolean) else sum(1 for _ in results)


def convert_results(data: bytes, from_media_type: str, output: BinaryIO, to_media_type: str) -> None:
    """Rewrite serialised SELECT/ASK results in another results format, with the engine's writers (remote stores)."""
    try:
        results = ox.parse_query_results(data, format=_results_format(from_media_type))
    except SyntaxError as error:
        raise StoreError(f"the store sent results that cannot be read: {error}") from error
    results.serialize(output, format=_results_format(to_media_type))


def convert_rdf(
    parts: Iterable[tuple[bytes, str | None]], from_media_type: str, output: BinaryIO, to_media_type: str
) -> None:
    """Rewrite serialised RDF, each part put in its graph (None: the default), in another format (remote stores).

    Written as the embedded store writes it: Turtle and TriG with our prefixes; triple formats get the triples.
    """
    fmt = _rdf_format(to_media_type)
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    quads: list[ox.Quad | ox.Triple] = []
    try:
        for data, graph in parts:
            target = ox.NamedNode(graph) if graph else DEFAULT
            for quad in ox.parse(data, format=_rdf_format(from_media_type)):
                quads.append(ox.Quad(quad.subject, quad.predicate, quad.object, target) if fmt.supports_datasets
                             else ox.Triple(quad.subject, quad.predicate, quad.object))
    except SyntaxError as error:
        raise StoreError(f"the store sent RDF that cannot be read: {error}") from error
    ox.serialize(quads, output, format=fmt, prefixes=prefixes)


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
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                rows = [
                    {name: from_ox(value) for name in variables if (value := solution[name]) is not None}
                    for solution in result
                ]
                return Solutions(variables, rows)
            return Triples([(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in result])

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


def build_into(path: Path, fill: Callable[[EmbeddedStore], None]) -> Path:
    """Build a new store beside the current one and make it current only if ``fill`` succeeds.

    The store directory holds ``builds/<id>/`` and a ``current`` symlink swapped atomically, so a
    failed build leaves the previous store untouched and readers never see a half-written one. A build
    is written as ``builds/<id>.<pid>.partial`` and renamed when complete; the partial folders of builds
    that were killed (their process is gone) are removed by the next build before it starts writing.
    A write that fails (a full disk) raises StoreError naming the folder; the partial build is removed.
    """
    path = Path(path)
    builds = path / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(path)
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns()}"
    partial, target = builds / f"{name}.{os.getpid()}{PARTIAL}", builds / name
    store: EmbeddedStore | None = None
    try:
        store = EmbeddedStore(ox.Store(str(partial)), partial)
        fill(store)
        store._store.flush()
        store = None
        gc.collect()
        os.replace(partial, target)
        link = path / f"{CURRENT}.{os.getpid()}{LINK_SUFFIX}"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(BUILDS) / target.name)
        os.replace(link, path / CURRENT)
    except BaseException as error:
        # Close the half-written store before deleting it: its background threads would otherwise write
        # files into the folder while it is removed. The traceback's frames (fill's) still hold it.
        store = None
        traceback.clear_frames(error.__traceback__)
        gc.collect()
        shutil.rmtree(partial, ignore_errors=True)
        if (path / CURRENT).resolve() != target.resolve():
            shutil.rmtree(target, ignore_errors=True)
        if isinstance(error, OSError):
            raise StoreError(_write_failure(builds, error)) from error
        raise
    _prune(builds, keep=target.name)
    return target


def _write_failure(builds: Path, error: OSError) -> str:
    """What to tell when a build could not be written (the full disk case named as such)."""
    if error.errno == errno.ENOSPC or "No space left" in str(error):
        return f"no space left on the device for the new build in {builds} ({error}); the previous store is kept"
    return f"cannot write the new build in {builds}: {error}; the previous store is kept"


def _remove_abandoned(path: Path) -> None:
    """Remove partial builds and temporary ``current`` links left by build processes that no longer run."""
    leftovers = [p for p in (path / BUILDS).iterdir() if p.name.endswith(PARTIAL)]
    leftovers += [p for p in path.iterdir() if p.name.startswith(f"{CURRENT}.") and p.name.endswith(LINK_SUFFIX)]
    for leftover in leftovers:
        pid = leftover.name.removesuffix(PARTIAL).removesuffix(LINK_SUFFIX).rsplit(".", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            if leftover.is_symlink() or not leftover.is_dir():
                leftover.unlink(missing_ok=True)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process with this id exists (this process counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prune(builds: Path, keep: str) -> None:
    """Remove old complete builds, keeping the newest few (a server may still read the previous one)."""
    complete = (p for p in builds.iterdir() if p.name != keep and not p.name.endswith(PARTIAL))
    older = sorted(complete, key=lambda p: p.name, reverse=True)
    for stale in older[KEEP_BUILDS - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)
