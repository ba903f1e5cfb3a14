"""The RDF merge of several default graphs: a query whose dataset names two or more graphs runs on their merge.

SPARQL's default graph built from several graphs (``FROM`` clauses, or the protocol's ``default-graph-uri``) is
their RDF merge: a set, each statement once. Both engines we run on add the graphs up instead, so a statement two
graphs hold matches twice (two AIAAIC exports: 192,719 rows where the merge holds 141,157). A query naming several
default graphs therefore runs on a scratch store in memory whose default graph is the merge and whose named graphs
are the ones the dataset names; the scratch store is kept for the next query on the same dataset and build.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from threading import Lock
from typing import TYPE_CHECKING

from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.virtuoso_dialect import for_virtuoso, has_dataset_clause

if TYPE_CHECKING:
    from kg.store import EmbeddedStore

NTRIPLES = "application/n-triples"
MAX_MERGE_BYTES = 256 * 1024 * 1024
"""The most N-Triples a merge may copy (every graph we hold, merged, is far less): a larger dataset is refused."""
KEPT = 2
"""Scratch stores kept (the datasets most recently asked for)."""


@dataclass(frozen=True)
class MergePlan:
    """How to run a query on the merge: the query without its FROM clauses, and the dataset it names."""

    query: str
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]

    @property
    def needs_merge(self) -> bool:
        return len(self.default_graphs) > 1


def dataset_clauses(sparql: str) -> tuple[list[str], list[str]] | None:
    """The query's FROM and FROM NAMED IRIs, or None when it has neither.

    >>> dataset_clauses("SELECT * FROM <http://a> FROM NAMED kg:b WHERE { ?s ?p ?o }")
    (['http://a'], ['https://w3id.org/ai-incidents/def/b'])
    """
    try:
        algebra = translateQuery(parseQuery(sparql), initNs=PREFIXES).algebra
    except Exception as error:  # rdflib raises many kinds of error for a text it cannot read
        raise QueryError(f"cannot read the query's FROM clauses: {error}") from error
    clauses = algebra.get("datasetClause") or []
    if not clauses:
        return None
    default = [str(c["default"]) for c in clauses if "default" in c]
    named = [str(c["named"]) for c in clauses if "named" in c]
    return default, named


def plan(sparql: str, default_graphs: Sequence[str] | None, named_graphs: Sequence[str] | None) -> MergePlan | None:
    """The dataset to run a query on when it names several default graphs, else None (the engine is right then).
    A plan naming one default graph (one graph named twice) runs on the store; several, on :meth:`store_for`.

    The protocol's dataset wins over the query's FROM clauses, as the protocol says.

    >>> plan("SELECT * { ?s ?p ?o }", ["http://a"], []) is None
    True
    >>> plan("SELECT * FROM <http://a> FROM <http://a> { ?s ?p ?o }", None, None).default_graphs
    ('http://a',)
    >>> plan("SELECT * { ?s ?p ?o }", ["http://a", "http://b", "http://a"], None)
    MergePlan(query='SELECT * { ?s ?p ?o }', default_graphs=('http://a', 'http://b'), named_graphs=())
    """
    if default_graphs is None and named_graphs is None:
        if not has_dataset_clause(sparql):
            return None
        clauses = dataset_clauses(sparql)
        if clauses is None:
            return None
        default_graphs, named_graphs = clauses
    if len(default_graphs or ()) < 2:
        return None
    defaults = tuple(dict.fromkeys(default_graphs or ()))
    return MergePlan(for_virtuoso(sparql) if has_dataset_clause(sparql) else sparql, defaults,
                     tuple(dict.fromkeys(named_graphs or ())))


class MergedDatasets:
    """Scratch stores holding merged datasets, built from a store's graphs and kept per build."""

    def __init__(self) -> None:
        self._kept: OrderedDict[tuple[str, tuple[str, ...], tuple[str, ...]], EmbeddedStore] = OrderedDict()
        self._lock = Lock()

    def store_for(self, merge: MergePlan, version: str, held: Sequence[str],
                  graph_ntriples: Callable[[str], bytes]) -> EmbeddedStore:
        """The scratch store for ``merge`` on build ``version``; graphs not in ``held`` are empty."""
        from kg.store import EmbeddedStore  # kg.store calls this module: imported when first needed

        key = (version, merge.default_graphs, merge.named_graphs)
        with self._lock:
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        ours = set(held)
        parts = [(graph, None) for graph in merge.default_graphs if graph in ours]
        parts += [(graph, graph) for graph in merge.named_graphs if graph in ours]
        scratch = EmbeddedStore.in_memory()
        copied = 0
        for graph, target in parts:
            data = graph_ntriples(graph)
            copied += len(data)
            if copied > MAX_MERGE_BYTES:
                raise QueryError(
                    f"the dataset's graphs hold more than {MAX_MERGE_BYTES // 2**20} MiB of N-Triples: too large to "
                    "merge for one query; name fewer default graphs (or none: the default graph is the merge of all)"
                )
            scratch.load(data, NTRIPLES, target)
        with self._lock:
            self._kept[key] = scratch
            while len(self._kept) > KEPT:
                self._kept.popitem(last=False)
        return scratch


MERGES = MergedDatasets()
"""The process's merged datasets (each query worker keeps its own)."""
