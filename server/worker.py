"""What runs inside a query worker process: open the store, then run jobs from the pipe until it closes.

A worker may be killed at any moment (that is how a query is timed out), so it holds nothing that matters.
Each job (server/jobs.py, server/page_jobs.py) runs itself on the store within the caps; the worker sends back
the job's value, or the library error it raised (a ``kg.errors`` exception, pickled whole), with the seconds
it took. Any other exception is a failure of the engine or of our code, sent as a plain KgError (500).
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from kg.errors import KgError, StoreError
from kg.remote_store import RemoteStore
from kg.store import EmbeddedStore, TripleStore
from server.jobs import Job, Limits
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
    niceness: int = 0
    """Added to the worker's nice value when it starts (the server's own background jobs yield the CPU to clients)."""

    def open_store(self) -> TripleStore:
        """The store this worker queries: the remote store when a URL is set, else the embedded build."""
        if self.store_url:
            return RemoteStore(self.store_url, self.store_user, self.store_password, timeout=self.store_timeout)
        assert self.build is not None
        return EmbeddedStore.open_build(self.build, in_memory=self.in_memory)

    @property
    def limits(self) -> Limits:
        return Limits(self.max_rows, self.max_result_bytes, self.service_allow)


@dataclass(frozen=True)
class Reply:
    """A worker's answer: the job's value, or the library error it raised; the seconds it took."""

    value: object = None
    error: KgError | None = None
    seconds: float = 0.0
    notes: dict[str, str] = field(default_factory=dict)
    size: int = 0
    """The reply's size in bytes as it crossed the pipe (set by the pool; what a cached copy costs)."""


def answer(store: TripleStore, job: Job, config: WorkerConfig) -> Reply:
    """Run one job (everything a worker does per request, callable in-process too)."""
    started = time.perf_counter()
    try:
        value = job.run(store, config.limits)
    except KgError as error:
        return Reply(error=error, seconds=time.perf_counter() - started)
    except Exception as error:  # noqa: BLE001 - whatever the engine raised, the client learns it failed there
        log.exception("the job failed in the worker")
        failed = KgError(f"the query failed in the engine: {type(error).__name__}: {error}")
        return Reply(error=failed, seconds=time.perf_counter() - started)
    return Reply(value, None, time.perf_counter() - started)


def serve(conn: Connection, config: WorkerConfig) -> None:
    """Process entry point: open the store, say ready (or why not), then answer jobs until the pipe closes."""
    try:
        if config.niceness:
            os.nice(config.niceness)
        if config.memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (config.memory_bytes, config.memory_bytes))
        store = config.open_store()
        # a worker that talks to a remote store needs the network: the SERVICE check then stands alone
        sandboxed = not config.service_allow and not config.store_url and deny_network()
    except (KgError, OSError, ValueError) as error:
        conn.send_bytes(pickle.dumps(Reply(error=StoreError(str(error)))))
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
        reply = answer(store, job, config)
        try:
            payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError) as error:
            payload = pickle.dumps(Reply(error=StoreError(f"the worker could not send the answer: {error}")))
        conn.send_bytes(payload)
