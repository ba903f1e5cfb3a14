"""What runs inside a query worker process: open the store, then answer jobs from the pipe until it closes.

A worker may be killed at any moment (that is how a query is timed out), so it holds nothing that matters.
Each job is checked (SERVICE, updates), run, and serialised by the engine into a capped buffer: evaluation
stops as soon as the result is over the byte cap, and a result over the row cap is refused whole.
"""

from __future__ import annotations

import logging
import pickle
import resource
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from rdflib.term import Node

from kg.errors import KgError, QueryError
from kg.store import EmbeddedStore, count_results
from server.errors import HttpRefusal, MalformedQuery, ResultTooLarge
from server.guard import check_query
from server.sandbox import deny_network

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to start: which build to open and how, and its limits."""

    build: Path
    in_memory: bool
    max_rows: int
    max_result_bytes: int
    memory_bytes: int = 0
    service_allow: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Job:
    """One query: its text, the media type wanted for each kind of result, and the protocol's dataset."""

    query: str
    media_types: dict[str, str]
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    bindings: dict[str, Node] | None = None
    base_iri: str | None = None


@dataclass(frozen=True)
class Reply:
    """A worker's answer: the media type and body, or the refusal (class name and message); seconds spent."""

    media_type: str | None = None
    body: bytes = b""
    error: tuple[str, str] | None = None
    seconds: float = 0.0
    notes: dict[str, str] = field(default_factory=dict)


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


def answer(store: EmbeddedStore, job: Job, config: WorkerConfig) -> Reply:
    """Check, run and serialise one job (everything a worker does per request, callable in-process too)."""
    started = time.perf_counter()
    try:
        check_query(job.query, config.service_allow)
        sink = CappedBuffer(config.max_result_bytes)
        try:
            media_type = store.query_into(
                sink,
                job.query,
                job.media_types,
                job.bindings,
                default_graphs=job.default_graphs,
                named_graphs=job.named_graphs,
                base_iri=job.base_iri,
            )
        except _OverCap:
            raise ResultTooLarge(
                f"the result is larger than {config.max_result_bytes} bytes: add LIMIT or select fewer columns"
            ) from None
        body = sink.getvalue()
        if media_type is not None and len(body) > config.max_rows and count_results(body, media_type) > config.max_rows:
            raise ResultTooLarge(
                f"the result has more than {config.max_rows} rows (or triples): add LIMIT {config.max_rows} or narrow "
                "the query; results are never cut silently"
            )
        return Reply(media_type, body, None, time.perf_counter() - started)
    except QueryError as error:
        refusal: tuple[str, str] = (MalformedQuery.__name__, str(error))
    except HttpRefusal as error:
        refusal = (type(error).__name__, error.message)
    except KgError as error:
        refusal = (type(error).__name__, str(error))
    return Reply(error=refusal, seconds=time.perf_counter() - started)


def serve(conn: Connection, config: WorkerConfig) -> None:
    """Process entry point: open the store, say ready (or why not), then answer jobs until the pipe closes."""
    try:
        if config.memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (config.memory_bytes, config.memory_bytes))
        store = EmbeddedStore.open_build(config.build, in_memory=config.in_memory)
        sandboxed = not config.service_allow and deny_network()
    except (KgError, OSError, ValueError) as error:
        conn.send_bytes(pickle.dumps(Reply(error=("StoreError", str(error)))))
        return
    conn.send_bytes(pickle.dumps(Reply(notes={"sandboxed": str(sandboxed)})))
    while True:
        try:
            job = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, job, config)
        except Exception as error:  # noqa: BLE001 - report, never die silently
            log.exception("query failed in the worker")
            reply = Reply(error=("QueryFailed", f"the query failed in the engine: {type(error).__name__}: {error}"))
        conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
