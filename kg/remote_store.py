"""A remote SPARQL 1.1 store (Virtuoso first) behind the same ``TripleStore`` interface as the embedded one.

Reads go to the SPARQL 1.1 Protocol endpoint; loads replace whole graphs through the Graph Store Protocol, and an
accepted submission adds its own graph the same way (:meth:`RemoteStore.write_graph`), at the Graph Store URL of the
settings, never at one a request names.
Virtuoso's default graph is the multiset union of every graph it holds, its own system graphs included, so
a load also writes the set-merge of our named graphs into one graph (``MERGED``) and the list of our graphs
into ``MANIFEST``; every query then names its dataset: ``MERGED`` as default graph (each statement once) and
our graphs as named graphs, unless the caller or the query's FROM clauses restrict them (to our graphs only:
any other graph is empty, as in the embedded store). Bound values enter as a VALUES block first in the WHERE
group, its terms written by rdflib's ``n3()`` after checking IRIs (``kg.sparql_values``). Every query is first
parsed by our engine (``check_syntax``), so the same queries are accepted, with the same messages, on both
backends, and no store extension (Virtuoso's pragmas, ``bif:`` functions) is reached. The manifest also
carries the load's id, the data version (:meth:`RemoteStore.version`).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

import httpx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL
from rdflib.term import Node

from kg import queries
from kg.dataset_merge import MERGES, dataset_clauses
from kg.dataset_merge import plan as merge_plan
from kg.errors import QueryError, ResultTooLarge, StoreError
from kg.ingest.triples import nquads_term
from kg.namespaces import GRAPH, PREFIXES, SD
from kg.sparql_json import results_json, term_from_json
from kg.sparql_values import IRI, query_form, with_values
from kg.store import Boolean, EmbeddedStore, QueryResult, Solutions, Triples, check_syntax, convert_rdf, convert_results
from kg.virtuoso_dialect import for_virtuoso, has_dataset_clause

if TYPE_CHECKING:
    from kg.settings import Settings

MERGED = str(GRAPH["remote/merged"])
MANIFEST = str(GRAPH["remote/manifest"])
NO_GRAPH = str(GRAPH["remote/none"])  # named-graph-uri when we hold no graph: Virtuoso takes "none given" as "all"
JSON_RESULTS = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
_PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIXES.items())
GRAPHS_TTL = 5.0
"""Seconds the graph list read from the manifest is reused before it is read again (a reload changes it)."""


class ResultCut(ResultTooLarge):
    """The store cut a result at its own row limit (Virtuoso's ``ResultSetMaxRows``): the result is too large."""


@dataclass(frozen=True)
class LoadReport:
    """What a load into the remote store wrote: graphs, statements (named graphs plus the merge), seconds, its id."""

    graphs: int
    statements: int
    seconds: float
    version: str = ""

    @property
    def per_second(self) -> float:
        """Statements written per second."""
        return self.statements / self.seconds if self.seconds else float("inf")


class RemoteStore:
    """A SPARQL 1.1 store over HTTP: query endpoint, plus Graph Store endpoint and credentials to load it."""

    def __init__(
        self,
        url: str,
        user: str | None = None,
        password: str | None = None,
        *,
        timeout: float = 30.0,
        load_timeout: float = 600.0,
        graph_store_url: str | None = None,
    ) -> None:
        """``timeout`` bounds each query, here and in the store (which is asked to stop working after it)."""
        self.url = url
        # Virtuoso's authenticated Graph Store endpoint sits beside /sparql; other stores name theirs
        auth = httpx.DigestAuth(user, password) if user and password is not None else None
        base = re.sub(r"/sparql/?$", "", url) + "/sparql-graph-crud"
        self.graph_store_url = graph_store_url or (base + "-auth" if auth else base)
        self._client = httpx.Client(auth=auth, timeout=httpx.Timeout(timeout, connect=5.0))
        self._timeout = timeout
        self._load_timeout = load_timeout
        self._graphs: list[str] | None = None
        self._graphs_read = 0.0

    # -- talking HTTP --------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, timeout: float | None = None, **kwargs: object) -> httpx.Response:
        try:
            response = self._client.request(method, url, timeout=timeout or self._timeout, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as error:
            raise StoreError(f"the SPARQL store at {url} did not answer within {timeout or self._timeout:g} s") from error
        except httpx.HTTPError as error:
            raise StoreError(f"cannot reach the SPARQL store at {url}: {error}") from error
        if response.status_code == 400:
            raise QueryError(f"the SPARQL store refused the query: {response.text.strip()[:500]}")
        if response.status_code in (502, 503, 504):
            raise StoreError(f"the SPARQL store at {url} is unavailable (HTTP {response.status_code})")
        if response.status_code in (401, 403):
            raise StoreError(f"the SPARQL store at {url} refused the credentials (HTTP {response.status_code})")
        if response.status_code >= 300 and not (method == "DELETE" and response.status_code == 404):
            raise StoreError(f"the SPARQL store at {url} answered HTTP {response.status_code}: {response.text[:300]}")
        # Virtuoso cuts results at ResultSetMaxRows or its time limit and says so only in headers: never pass that on
        if "x-sparql-maxrows" in response.headers:
            raise ResultCut(
                f"the SPARQL store cut the result at its own limit of {response.headers['x-sparql-maxrows']} rows; "
                "results are never cut silently: add LIMIT or narrow the query"
            )
        if response.headers.get("x-sql-state"):
            raise StoreError(f"the SPARQL store cut the results short ({response.headers.get('x-sql-message', 'time limit')})")
        return response

    def _dataset(
        self, sparql: str, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None
    ) -> tuple[str, list[str], list[str]]:
        """The query as Virtuoso reads it the standard way (``kg.virtuoso_dialect``: FROM clauses cut out), and the
        graphs it sees as the embedded store picks them: the caller's (the protocol's), else the query's FROM
        clauses, else the merge and all our graphs; a graph we do not hold is empty."""
        if has_dataset_clause(sparql):
            clauses = dataset_clauses(sparql)
            if clauses is None:
                raise QueryError("cannot read the query's FROM clauses: write each as FROM <IRI>")
            if default_graphs is None and named_graphs is None:
                default_graphs, named_graphs = clauses
        rewritten = for_virtuoso(sparql)
        if rewritten != sparql and has_dataset_clause(sparql) and dataset_clauses(rewritten) is not None:
            raise QueryError("cannot separate the query's FROM clauses from the rest: write each as FROM <IRI>")
        ours = set(self.graph_names())
        default = [MERGED] if default_graphs is None else [g for g in default_graphs if g in ours]
        named = sorted(ours) if named_graphs is None else [g for g in named_graphs if g in ours]
        return rewritten, default or [NO_GRAPH], named or [NO_GRAPH]

    def _ask(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None,
        default_graphs: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        base_iri: str | None = None,
    ) -> httpx.Response:
        if base_iri and not IRI.fullmatch(base_iri):
            raise QueryError(f"cannot use {base_iri!r} as the base IRI")
        check_syntax(sparql, base_iri)
        sparql, default, named = self._dataset(sparql, default_graphs, named_graphs)
        return self._post(sparql, bindings, default, named, base_iri)

    def _post(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None,
        default: list[str],
        named: list[str],
        base_iri: str | None = None,
    ) -> httpx.Response:
        base = f"BASE <{base_iri}>\n" if base_iri else ""
        form = {
            "query": base + _PROLOGUE + with_values(sparql, bindings),
            "default-graph-uri": default,
            "named-graph-uri": named,
            "timeout": str(int(self._timeout * 1000)),  # Virtuoso stops working on it then (milliseconds)
        }
        accept = NTRIPLES if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else JSON_RESULTS
        return self._send("POST", self.url, data=form, headers={"Accept": accept})

    def _result(self, response: httpx.Response) -> QueryResult:
        if response.headers.get("content-type", "").startswith(NTRIPLES) or response.text.startswith("# Empty NT"):
            return Triples(list(Graph().parse(data=response.content, format="nt")))
        try:
            data = response.json()
        except ValueError as error:
            raise StoreError(f"the SPARQL store sent results that are not JSON: {response.text[:200]}") from error
        if "boolean" in data:
            return Boolean(bool(data["boolean"]))
        variables = data["head"]["vars"]
        rows = [{name: term_from_json(value) for name, value in row.items()} for row in data["results"]["bindings"]]
        return Solutions(variables, rows)

    # -- the TripleStore interface -------------------------------------------------------------

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult:
        """Run a read-only query; without ``default_graphs`` the default graph is the merge of our graphs."""
        if (scratch := self._merged(sparql, default_graphs, named_graphs)) is not None:
            return scratch[0].query(scratch[1], bindings)
        return self._result(self._ask(sparql, bindings, default_graphs, named_graphs))

    def _merged(self, sparql: str, default_graphs: Sequence[str] | None,
                named_graphs: Sequence[str] | None) -> tuple[EmbeddedStore, str] | None:
        """The scratch store holding the RDF merge of the several default graphs ``sparql`` names (Virtuoso adds them
        up, as our engine does: ``kg.dataset_merge``), and the query to run there; None for one default graph."""
        merge = merge_plan(sparql, default_graphs, named_graphs)
        if merge is None or not merge.needs_merge:
            return None
        return MERGES.store_for(merge, f"{self.version()}@{self.url}", self.graph_names(), self._graph_ntriples), merge.query

    def query_serialized(
        self,
        sparql: str,
        media_type: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> bytes:
        """Run a query and serialise its results in ``media_type`` with the embedded engine's writers."""
        output = io.BytesIO()
        kinds = {"solutions": media_type, "boolean": media_type, "graph": media_type}
        self.query_into(output, sparql, kinds, bindings, default_graphs=default_graphs, named_graphs=named_graphs)
        return output.getvalue()

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
        """Run a query and write its results into ``output`` in ``media_types[kind]``; None if the kind has none."""
        if (scratch := self._merged(sparql, default_graphs, named_graphs)) is not None:
            return scratch[0].query_into(output, scratch[1], media_types, bindings, base_iri=base_iri)
        result = self._result(self._ask(sparql, bindings, default_graphs, named_graphs, base_iri))
        kind = "graph" if isinstance(result, Triples) else "boolean" if isinstance(result, Boolean) else "solutions"
        media_type = media_types.get(kind)
        if media_type is None:
            return None
        if isinstance(result, Triples):
            lines = "".join(f"{nquads_term(s)} {nquads_term(p)} {nquads_term(o)} .\n" for s, p, o in result.triples)
            convert_rdf([(lines.encode("utf-8"), None)], NTRIPLES, output, media_type)
        else:
            convert_results(results_json(result), JSON_RESULTS, output, media_type)
        return media_type

    def _count(self, name: str) -> int:
        result = self.query(queries.load(name))
        assert isinstance(result, Solutions)
        return int(result.rows[0]["n"])

    def quad_count(self) -> int:
        """Number of statements in our named graphs (the merge not counted)."""
        return self._count("remote-count-quads")

    def triple_count(self) -> int:
        """Number of distinct statements: the size of the merged graph."""
        return self._count("remote-count-triples")

    def _manifest(self, name: str) -> list[dict[str, Node]]:
        found = self._result(self._post(queries.load(name), None, [MANIFEST], [NO_GRAPH]))
        assert isinstance(found, Solutions)
        return found.rows

    def graph_names(self, fresh: bool = False) -> list[str]:
        """IRIs of our named graphs, sorted, as the last load's manifest lists them (read again after a few seconds,
        or now when ``fresh``)."""
        if fresh or self._graphs is None or time.monotonic() - self._graphs_read > GRAPHS_TTL:
            self._graphs = sorted(str(row["name"]) for row in self._manifest("remote-graph-names"))
            self._graphs_read = time.monotonic()
        return list(self._graphs)

    def version(self) -> str:
        """The id of the last complete load, from the manifest; StoreError when there is none or the store is down."""
        found = self._manifest("remote-version")
        if not found:
            raise StoreError(f"the SPARQL store at {self.url} holds no complete load of the graph: run 'kg build --store-url'")
        return str(found[0]["version"])

    def dump(self, output: BinaryIO, media_type: str) -> None:
        """Write the store, read graph by graph through the Graph Store Protocol: dataset formats get our named
        graphs, triple formats the merge (bulk reads: SELECT over every statement is far slower on Virtuoso)."""
        quads = media_type in ("application/n-quads", "application/trig")
        graphs: list[str | None] = list(self.graph_names()) if quads else [None]
        parts = ((self._graph_ntriples(graph or MERGED), graph) for graph in graphs)
        convert_rdf(parts, NTRIPLES, output, media_type)

    def _graph_ntriples(self, graph: str) -> bytes:
        headers = {"Accept": NTRIPLES}
        params = {"graph-uri": graph}
        return self._send("GET", self.graph_store_url, params=params, headers=headers, timeout=self._load_timeout).content

    # -- loading ---------------------------------------------------------------------------------

    def _put(self, graph: str, ntriples: bytes, timeout: float) -> None:
        headers = {"Content-Type": NTRIPLES}
        self._send("PUT", self.graph_store_url, params={"graph-uri": graph}, content=ntriples, headers=headers, timeout=timeout)

    def replace_with(self, source: EmbeddedStore, progress: Callable[[str], None] = lambda _: None) -> LoadReport:
        """Replace our graphs in the remote store by ``source``'s named graphs and their merge, graph by graph.

        The manifest goes first (readers see no graph list while loading) and comes back last, so a failed
        load leaves no manifest; the graphs of the previous load that ``source`` lacks are dropped.
        """
        clock, timeout = time.perf_counter(), self._load_timeout
        previous = self.graph_names()
        self._send("DELETE", self.graph_store_url, params={"graph-uri": MANIFEST}, timeout=timeout)
        self._graphs = None
        names = source.graph_names()
        version = source.version() if source.location is not None else time.strftime("%Y%m%dT%H%M%S-") + str(time.time_ns())
        for name in sorted(set(previous) - set(names)):
            self._send("DELETE", self.graph_store_url, params={"graph-uri": name}, timeout=timeout)
        for name in names:
            progress(f"loading {name}")
            self._put(name, source.graph_ntriples(name), timeout)
        progress("loading the merged default graph")
        self._put(MERGED, source.graph_ntriples(None), timeout)
        self._put_manifest(names, version, timeout)
        statements = source.quad_count() + source.triple_count()
        return LoadReport(len(names), statements, time.perf_counter() - clock, version)

    def _put_manifest(self, names: Sequence[str], version: str, timeout: float) -> None:
        manifest = URIRef(MANIFEST)
        lines = [f"<{manifest}> <{SD.namedGraph}> _:g{i} .\n_:g{i} <{SD.name}> {nquads_term(URIRef(n))} .\n" for i, n in enumerate(names)]
        lines.append(f"<{manifest}> <{OWL.versionInfo}> {nquads_term(Literal(version))} .\n")
        self._put(MANIFEST, "".join(lines).encode("utf-8"), timeout)
        self._graphs = None

    def write_graph(self, name: str, ntriples: bytes, version_tag: str) -> str:
        """Add (or replace) one named graph without reloading the rest, as an accepted submission is written: PUT the
        graph (it replaces the graph, so a retry is safe), POST its statements into the merge (a set: statements
        already there change nothing; ``ntriples`` must hold no blank node), then PUT the manifest listing it, with
        the data version ``<load id>+<version_tag>``; the new version. Only the one process that owns the
        submissions writes, so no two manifests are written at once."""
        if b"_:" in ntriples:
            raise StoreError(f"cannot add {name} to the merge of the remote store: it holds blank nodes")
        timeout = self._load_timeout
        found = self._manifest("remote-version")
        if not found:
            raise StoreError(f"the SPARQL store at {self.url} holds no complete load of the graph: run 'kg build --store-url'")
        names = {str(row["name"]) for row in self._manifest("remote-graph-names")}
        self._put(name, ntriples, timeout)
        self._send("POST", self.graph_store_url, params={"graph-uri": MERGED}, content=ntriples,
                   headers={"Content-Type": NTRIPLES}, timeout=timeout)
        version = str(found[0]["version"]).split("+", 1)[0] + "+" + version_tag
        self._put_manifest(sorted(names | {name}), version, timeout)
        return version

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()


def remote_from_settings(url: str | None = None, settings: Settings | None = None, timeout: float | None = None) -> RemoteStore:
    """The remote store at ``url`` (default ``KG_STORE_URL``) with the configured credentials and timeouts."""
    from kg.settings import get_settings

    settings = settings or get_settings()
    password = settings.store_password.get_secret_value() if settings.store_password else None
    target = url or settings.store_url
    if not target:
        raise StoreError("no remote store given: set KG_STORE_URL or pass --store-url")
    return RemoteStore(target, settings.store_user, password, timeout=timeout or settings.query_timeout,
                       graph_store_url=settings.store_graph_store_url)
