"""The one way HTTP code reads data: a job runs through the client's budget, the cache, then a worker in time.

Every read of the store by the server (``/sparql``, the service description, the Linked Data pages and their
404 suggestions, the vocabulary, VoID, the release's metadata) is a job (server/jobs.py, server/page_jobs.py)
run here, so limits, caching and accounting hold for all of them alike:

1. the client's budget of query seconds (429 when spent) — nothing is parsed or queued before this;
2. the cache, keyed by the data version and the job itself (a hit costs no budget and no worker);
3. the client's in-flight limit (``concurrency`` jobs running or queued, else 429);
4. a worker, within the time limit (queue wait included), shared fairly between clients (server/pool.py);
5. the time the job took is charged to the client (a worker stopped under it costs nothing).

The server's own descriptions (service description, VoID: whole-store statistics) are computed once per data
version when the app starts (:meth:`Executor.warm`, with the start-up limit, on a worker of their own beside the
pool: server/pool.py) and kept.

The API for routers (each call is one job; ``client`` is what server.protocol.client_of returns)::

    rows = await executor.select("similar", client, prefix=Literal(...))   # list of {variable: rdflib term}
    found = await executor.ask("exists", client, resource=iri)             # bool
    graph = await executor.graph("describe-term", client, term=iri)        # rdflib.Graph
    answer = await executor.serialized("ontology", TURTLE, client, ontology=iri)  # Answer: media type, bytes
    value = await executor.run(SomeJob(...), client)                       # any job kind: its value

and, for a client's own SPARQL, ``await executor.answer(SparqlQuery(...), client, bindings)`` (None: 406).
Errors come back as the exception the job raised (kg.errors) or a refusal (server.refusals), for
server/errors.py to turn into a response.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Hashable
from dataclasses import dataclass

from rdflib import Graph
from rdflib.term import Node

from kg.namespaces import bind_prefixes
from kg.store import Boolean, Solutions, Triples
from server.budget import Budget, InFlight
from server.cache import ResultCache
from server.jobs import Job, NamedQuery, Serialized, SparqlQuery, pairs
from server.pool import QueryPool
from server.refusals import Busy

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    """A serialised result and how it was obtained."""

    media_type: str
    body: bytes
    cached: bool
    seconds: float


class Executor:
    """Runs jobs through the budget, the cache and the worker pool."""

    def __init__(
        self, pool: QueryPool, cache: ResultCache, budget: Budget, timeout: float, version: str, concurrency: int = 0
    ) -> None:
        self.pool = pool
        self.cache = cache
        self.budget = budget
        self.timeout = timeout
        self.version = version
        self.in_flight = InFlight(concurrency)
        self._kept: dict[tuple[str, Job], object] = {}
        self._warming: dict[tuple[str, Job], asyncio.Task[object]] = {}

    def warm(self, job: Job, timeout: float) -> None:
        """Start computing ``job`` now, with its own ``timeout``, and keep its value for this data version.

        For the server's own descriptions (whole-store statistics): clients then get the kept value, or wait for
        the computation at most the query time limit (503 Busy after that), and are never charged for it.
        """
        key = (self.version, job)
        if key in self._kept or key in self._warming:
            return
        for stale in [k for k in self._kept if k[0] != self.version]:
            del self._kept[stale]  # kept for a data version no longer served

        async def compute() -> object:
            try:
                reply = await self.pool.run_aside(job, timeout)  # on a worker of its own: clients never wait for it
                if reply.error is not None:
                    raise reply.error
                self._kept[key] = reply.value
                return reply.value
            finally:
                self._warming.pop(key, None)

        task = asyncio.get_running_loop().create_task(compute())
        task.add_done_callback(_log_failure)
        self._warming[key] = task

    @property
    def descriptions(self) -> dict[str, int]:
        """How many of the server's own descriptions are kept for the data served and how many are being computed."""
        return {"kept": sum(1 for version, _ in self._kept if version == self.version), "computing": len(self._warming)}

    async def timed(self, job: Job, client: Hashable) -> tuple[object, bool, float]:
        """``job``'s value, whether it came from the cache, and the seconds it took in a worker."""
        self.budget.check(client)  # type: ignore[arg-type]
        key = (self.version, job)
        if key in self._kept:
            return self._kept[key], True, 0.0
        if key in self._warming:
            try:
                return await asyncio.wait_for(asyncio.shield(self._warming[key]), self.timeout), False, 0.0
            except TimeoutError:
                raise Busy("the server is still computing this description (whole-store statistics): retry shortly",
                           retry_after=5) from None
        hit = self.cache.get(key)
        if hit is not None:
            return hit[0], True, 0.0  # type: ignore[index]
        self.in_flight.enter(client)  # type: ignore[arg-type]
        try:
            reply = await self.pool.run(job, self.timeout, client)
        except Exception as error:
            charge = getattr(error, "seconds", None)
            if charge:
                self.budget.spend(client, charge)  # type: ignore[arg-type]
            raise
        finally:
            self.in_flight.leave(client)  # type: ignore[arg-type]
        self.budget.spend(client, reply.seconds)  # type: ignore[arg-type]
        if reply.error is not None:
            raise reply.error
        self.cache.put(key, (reply.value,), reply.size)
        return reply.value, False, reply.seconds

    async def run(self, job: Job, client: Hashable) -> object:
        """``job``'s value (any kind of job)."""
        value, _, _ = await self.timed(job, client)
        return value

    async def answer(self, job: SparqlQuery, client: Hashable, bindings: dict[str, Node] | None = None) -> Answer | None:
        """The answer to a client's query (None when its kind of result has no acceptable media type: 406)."""
        if bindings:
            job = dataclasses.replace(job, bindings={**dict(job.bindings or ()), **bindings})  # type: ignore[arg-type]
        value, cached, seconds = await self.timed(job, client)
        if value is None:
            return None
        assert isinstance(value, Serialized)
        return Answer(value.media_type, value.body, cached, seconds)

    async def select(self, name: str, client: Hashable, **bindings: Node) -> list[dict[str, Node]]:
        """The rows of SELECT query ``name`` (kg/queries) with ``bindings``."""
        result = await self.run(NamedQuery(name, pairs(bindings)), client)
        assert isinstance(result, Solutions)
        return result.rows

    async def ask(self, name: str, client: Hashable, **bindings: Node) -> bool:
        """The answer of ASK query ``name``."""
        result = await self.run(NamedQuery(name, pairs(bindings)), client)
        assert isinstance(result, Boolean)
        return result.value

    async def graph(self, name: str, client: Hashable, **bindings: Node) -> Graph:
        """The triples of CONSTRUCT query ``name``, as an rdflib graph with our prefixes."""
        result = await self.run(NamedQuery(name, pairs(bindings)), client)
        assert isinstance(result, Triples)
        graph = bind_prefixes(Graph())
        for triple in result.triples:
            graph.add(triple)
        return graph

    async def serialized(self, name: str, media_type: str, client: Hashable, **bindings: Node) -> Answer:
        """The result of query ``name`` serialised by the engine in ``media_type``."""
        value, cached, seconds = await self.timed(NamedQuery(name, pairs(bindings), media_type), client)
        assert isinstance(value, Serialized)
        return Answer(value.media_type, value.body, cached, seconds)


def _log_failure(task: asyncio.Task[object]) -> None:
    """Log why a kept description could not be computed (clients asking for it then run it as their own job)."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.warning("a description of the data served could not be computed at start-up: %s", error)
