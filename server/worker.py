"""What runs inside a query worker process: open the store, then answer jobs from the pipe until it closes.

A worker may be killed at any moment (that is how a query is timed out), so it holds nothing that matters.
Each job is checked (SERVICE, updates), run, and serialised by the engine into a capped buffer: evaluation
stops as soon as the result is over the byte cap, and a result over the row cap is refused whole.
"""

from __future__ import annotations

import logging
import pickle
import resource
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from rdflib.term import Node

from kg.engine_deviations import refuse_deviations
from kg.errors import KgError, QueryError
from kg.remote_store import RemoteStore, ResultCut
from kg.result_rows import may_exceed
from kg.store import EmbeddedStore, TripleStore, count_results
from server.errors import HttpRefusal, MalformedQuery, ResultTooLarge
from server.guard import check_query
from server.sandbox import deny_network

log = logging.getLogger(__name__)
STACK_BYTES = 512 * 1024 * 1024
"""Stack of the thread that runs queries. The engine recurses once per level of nesting (brackets, ``!``, chains of
OPTIONAL, MINUS or operators): on the usual 8 MiB stack about 5,000 levels crash the worker (SIGSEGV), and a 64 KiB
query can nest 30,000 deep. 512 MiB holds every query under the default body limit (tests/test_bad_input.py); the
memory is reserved, and used only as deep as a query goes."""


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to start: which store to open (an embedded build, or a remote store's URL) and how,
    and its limits."""

    build: Path | None
    in_memory: bool
    max_rows: int
    max_result_bytes: int
    memory_bytes: int = 0
    service_allow: frozenset[str] = frozenset()
    store_url: str | None = None
    store_user: str | None = None
    store_password: str | None = field(default=None, repr=False)
    store_timeout: float = 30.0

    def open_store(self) -> TripleStore:
        """The store this worker queries: the remote store when a URL is set, else the embedded build."""
        if self.store_url:
            return RemoteStore(self.store_url, self.store_user, self.store_password, timeout=self.store_timeout)
        assert self.build is not None
        return EmbeddedStore.open_build(self.build, in_memory=self.in_memory)


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


def answer(store: TripleStore, job: Job, config: WorkerConfig) -> Reply:
    """Check, run and serialise one job (everything a worker does per request, callable in-process too)."""
    started = time.perf_counter()
    try:
        check_query(job.query, config.service_allow, job.bindings)
        refuse_deviations(store, job.query, job.default_graphs, job.named_graphs)
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
        over = media_type is not None and may_exceed(len(body), media_type, config.max_rows)
        if over and count_results(body, media_type) > config.max_rows:  # type: ignore[arg-type]
            raise ResultTooLarge(
                f"the result has more than {config.max_rows} rows (or triples): add LIMIT {config.max_rows} or narrow "
                "the query; results are never cut silently"
            )
        return Reply(media_type, body, None, time.perf_counter() - started)
    except QueryError as error:
        refusal: tuple[str, str] = (MalformedQuery.__name__, str(error))
    except ResultCut as error:  # the remote store's own row cap: too large, as ours would say
        refusal = (ResultTooLarge.__name__, str(error))
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
        store = config.open_store()
        # a worker that talks to a remote store needs the network: the SERVICE check then stands alone
        sandboxed = not config.service_allow and not config.store_url and deny_network()
    except (KgError, OSError, ValueError) as error:
        conn.send_bytes(pickle.dumps(Reply(error=("StoreError", str(error)))))
        return
    conn.send_bytes(pickle.dumps(Reply(notes={"sandboxed": str(sandboxed)})))
    threading.stack_size(_stack_bytes(config))  # the job thread inherits the limits and the network sandbox
    jobs = threading.Thread(target=_answer_jobs, args=(conn, store, config), name="kg-query-jobs")
    jobs.start()
    jobs.join()


def _stack_bytes(config: WorkerConfig) -> int:
    """The job thread's stack: STACK_BYTES, or a quarter of the worker's address-space limit if that is smaller."""
    return min(STACK_BYTES, config.memory_bytes // 4) if config.memory_bytes else STACK_BYTES


def _answer_jobs(conn: Connection, store: TripleStore, config: WorkerConfig) -> None:
    """Answer jobs from the pipe until it closes."""
    while True:
        try:
            job = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, job, config)
        except Exception as error:
            log.exception("query failed in the worker")
            reply = Reply(error=("QueryFailed", f"the query failed in the engine: {type(error).__name__}: {error}"))
        conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
