"""Answer a query the safe way: the client's budget first, then the cache, else a worker within the time limit.

This is the one path every query takes (the endpoint, the service description, the query page), so limits,
caching and accounting hold for all of them. A client may have at most ``concurrency`` queries running or queued;
cached answers are not counted.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from rdflib.term import Node

from kg.errors import StoreError
from server import errors
from server.budget import Budget, Client, InFlight
from server.cache import ResultCache
from server.pool import QueryPool
from server.worker import Job

REFUSALS: dict[str, type[errors.HttpRefusal]] = {
    cls.__name__: cls
    for cls in (
        errors.MalformedQuery,
        errors.FetchRefused,
        errors.UpdateRefused,
        errors.ResultTooLarge,
        errors.NotAcceptable,
        errors.QueryFailed,
    )
}


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

    async def answer(self, job: Job, client: Client, bindings: dict[str, Node] | None = None) -> Answer | None:
        """The answer to ``job`` (None when its kind of result has no acceptable media type: 406)."""
        self.budget.check(client)
        key = (
            self.version,
            job.query,
            tuple(sorted(job.media_types.items())),
            job.default_graphs,
            job.named_graphs,
            tuple(sorted((bindings or {}).items())),
        )
        hit = self.cache.get(key)
        if hit is not None:
            return Answer(hit[0], hit[1], True, 0.0)
        if bindings:
            job = dataclasses.replace(job, bindings=dict(bindings))
        self.in_flight.enter(client)
        try:
            reply = await self.pool.run(job, self.timeout)
        except (errors.QueryTimeout, errors.QueryFailed):
            self.budget.spend(client, self.timeout)  # a query that outlived or killed its worker costs the whole limit
            raise
        finally:
            self.in_flight.leave(client)
        self.budget.spend(client, reply.seconds)
        if reply.error is not None:
            name, message = reply.error
            cls = REFUSALS.get(name)
            if cls is None:
                raise StoreError(message)
            raise cls(message)
        if reply.media_type is None:
            return None
        self.cache.put(key, reply.media_type, reply.body)
        return Answer(reply.media_type, reply.body, False, reply.seconds)
