"""A submission checked against the shapes before it is taken: its statements, with the types of what they refer to
read through the executor (so the check has the same limits as any query), validated off the event loop."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from rdflib import Dataset, Graph
from starlette.concurrency import run_in_threadpool

from kg.loading import discover_ontology, load_files
from kg.submissions.checking import check_statements, referenced_terms
from kg.submissions.field_of import field_of
from kg.submissions.model import FieldProblem, Submission
from kg.submissions.to_rdf import UnsupportedTarget, statements
from server.executor import Executor

NTRIPLES = "application/n-triples"


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    dataset: Dataset = load_files(discover_ontology())
    graph = Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


async def context_through(executor: Executor, client: object, graph: Graph) -> Graph:
    """The types and schemes of the terms ``graph`` refers to, each read by a bound query through the executor."""
    context = Graph()
    for term in sorted(referenced_terms(graph)):
        context += await executor.graph("term-types", client, term=term)  # type: ignore[arg-type]
    return context


async def shape_problems(submission: Submission, executor: Executor, client: object, number: int = 0,
                         submitter: str = "anonymous") -> list[FieldProblem]:
    """The shape violations of ``submission``'s statements, each at the form field it is about."""
    try:
        graph = statements(submission, number, submitter, datetime.now(UTC).isoformat())
    except UnsupportedTarget:
        return []  # kept for an editor to read; nothing to check as data yet
    context = await context_through(executor, client, graph)
    report = await run_in_threadpool(check_statements, graph, context, _ontology())
    return [FieldProblem(field_of(v.path), v.message) for v in report.results]
