"""A pool of query worker processes: one job each at a time, one deadline per job, kill and replace on expiry.

pyoxigraph runs outside the Python lock and cannot be interrupted from a thread, so a job that runs past its
deadline is stopped the only sure way: its process is killed (SIGKILL) and a fresh one started in the
background, while the other workers go on answering.

Fairness: jobs wait in one bounded queue; a free worker goes to the waiting job whose client holds the fewest
workers (oldest first among equals), and no client may hold more than ``share`` workers at once (one less than
the pool, at least one), so one client at its limits never holds every worker. The deadline covers the wait
and the run together. A client that holds a worker may send it a second small job before the first is answered
(server/worker_handle.py: the worker then never waits for the event loop between two of its jobs); nobody else's
job ever waits behind another client's. A job whose worker is killed for the job before it (its deadline) never
ran: it is run on another worker in the time it has left, uncharged. The server's own start-up descriptions run
beside the pool, on a worker of their own (:meth:`QueryPool.run_aside`), so clients never wait for them, however
few the workers; that worker runs at a lower CPU priority, so the clients' queries beside it are slowed (and
charged) as little as the machine allows. A worker found stopped (SIGSTOP) is replaced before it is given a job,
and a job whose worker was stopped under it fails without charge (``seconds`` 0); one whose worker died is charged.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import time
from collections import Counter, deque
from collections.abc import Hashable
from dataclasses import dataclass, replace

from kg.errors import StoreError
from server import errors
from server.jobs import Job
from server.worker import Reply, WorkerConfig
from server.worker_handle import DEPTH, SMALL_JOB_BYTES, Abandoned, WorkerHandle, expire

log = logging.getLogger(__name__)
RESTART_DELAY = 2.0
ASIDE_NICENESS = 10
"""Added to the nice value of the worker that runs the server's own jobs (a lower CPU priority than the clients')."""
ASIDE_ROWS = 100_000
ASIDE_BYTES = 64 << 20
"""The server's own jobs may give this many rows and bytes however small the clients' limits are (a description's
size grows with the data's classes, properties and graphs, not with what a client may ask for)."""


@dataclass
class _Waiter:
    """A job waiting for a worker: whose it is and the future a worker is handed through."""

    client: Hashable
    future: asyncio.Future[WorkerHandle]
    small: bool = True
    behind: bool = False
    """Handed a worker its client already holds, busy with another of its jobs (nothing to give back if it goes)."""


class QueryPool:
    """Run jobs on worker processes with a deadline each, sharing the workers fairly between clients."""

    def __init__(self, config: WorkerConfig, size: int, queue_length: int, start_timeout: float = 300.0) -> None:
        self.config = config
        self.size = size
        self.queue_length = queue_length
        self.start_timeout = start_timeout
        self.share = max(1, size - 1)
        self.sandboxed = False
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["server.worker"])
        self._idle: deque[WorkerHandle] = deque()
        self._waiters: list[_Waiter] = []
        self._holding: Counter[Hashable] = Counter()
        self._owner: dict[WorkerHandle, Hashable] = {}
        self._promised: Counter[WorkerHandle] = Counter()
        """Jobs handed a busy worker of their client and not sent yet (the task has still to resume)."""
        self._all: set[WorkerHandle] = set()
        self._closing = False
        self._starting: set[asyncio.Task[None]] = set()
        self._aside: WorkerHandle | None = None
        self._aside_jobs = 0
        self._aside_lock = asyncio.Lock()

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store (raise StoreError if one cannot)."""
        await asyncio.gather(*(self._start_one(strict=True) for _ in range(self.size)))

    async def _start_one(self, strict: bool = False) -> None:
        while not self._closing:
            worker = WorkerHandle(self._context, self.config, self._lost)
            try:
                hello = await worker.call(None, self.start_timeout)
            except (TimeoutError, EOFError, OSError) as error:
                hello = Reply(error=StoreError(f"the worker did not start: {error!r}"))
            if hello.error is None:
                self.sandboxed = hello.notes.get("sandboxed") == "True"
                self._all.add(worker)
                self._release(worker)
                return
            worker.kill()
            if strict:
                raise hello.error
            log.error("query worker failed to start (%s); retrying in %s s", hello.error, RESTART_DELAY)
            await asyncio.sleep(RESTART_DELAY)

    def _lost(self, worker: WorkerHandle) -> None:
        """An idle worker exited on its own (killed from outside, out of memory): replace it."""
        if worker in self._idle:
            self._idle.remove(worker)
            log.warning("an idle query worker exited; starting another")
            self._replace(worker)

    def _replace(self, worker: WorkerHandle) -> None:
        """Kill ``worker`` (its other jobs fail with Abandoned) and start another in the background; once per worker."""
        if worker not in self._all:
            return
        self._all.discard(worker)
        if worker in self._owner:
            self._leave(self._owner.pop(worker))
        self._promised.pop(worker, None)
        worker.kill()
        if not self._closing:
            task = asyncio.get_running_loop().create_task(self._start_one())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def run(self, job: Job, timeout: float, client: Hashable = None) -> Reply:
        """Run ``job`` for ``client`` within ``timeout`` seconds in all, the wait for a free worker included.

        Raises Busy (the queue is full, or no worker was free in time), QueryTimeout or QueryFailed; the last two
        carry ``seconds``, what the client is charged (0 when the worker was stopped by someone else).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            # only a client's own small jobs go behind one another
            worker = await self._acquire(client, deadline, timeout, len(payload) <= SMALL_JOB_BYTES)
            self._unpromise(worker)  # call() sends before it first waits: the job is outstanding from here
            started = time.perf_counter()
            try:
                reply = await worker.call(payload, max(0.0, deadline - loop.time()))
            except Abandoned:
                if loop.time() >= deadline:
                    raise _uncharged(errors.Busy("the query's worker was stopped for another query and no time was left "
                                                 "to run it on another: retry", retry_after=1)) from None
                continue  # its worker was killed for the job before it: run it on another, in the time left
            except TimeoutError:
                stopped = worker.stopped()
                self._replace(worker)
                ran = time.perf_counter() - started
                if stopped:
                    raise _uncharged(errors.QueryFailed("the query worker was stopped while holding the query; it was "
                                                        "replaced: retry", retry_after=1)) from None
                refusal = errors.QueryTimeout(
                    f"the query ran longer than the {timeout:g} s limit (waiting for a worker included) and was "
                    "stopped: narrow it (LIMIT, more specific patterns) and try again",
                    headers={"X-Query-Seconds": f"{ran:.3f}"},
                )
                raise _charged(refusal, ran) from None
            except (EOFError, OSError, pickle.UnpicklingError) as error:
                self._replace(worker)
                failed = errors.QueryFailed(f"the query worker died while running the query ({error!r}); it was restarted")
                raise _charged(failed, time.perf_counter() - started) from None
            except BaseException:
                self._replace(worker)  # cancelled (client gone, shutdown): the worker's state is unknown
                raise
            self._answered(worker)
            return reply

    async def run_aside(self, job: Job, timeout: float) -> Reply:
        """Run one of the server's own jobs (a whole-store description) within ``timeout`` on a worker of its own,
        started for it and stopped once no such job is left: the pool's workers stay with the clients (with one
        worker, a description taking longer than the query time limit would otherwise refuse every client while it
        runs). These jobs run one at a time; one past its deadline has its worker killed (TimeoutError)."""
        self._aside_jobs += 1
        try:
            async with self._aside_lock:
                if self._aside is None:
                    worker = WorkerHandle(self._context, self._aside_config(timeout), lambda _: None)
                    try:
                        hello = await worker.call(None, self.start_timeout)
                        if hello.error is not None:
                            raise hello.error
                    except BaseException:
                        worker.kill()
                        raise
                    self._aside = worker
                try:
                    return await self._aside.call(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL), timeout)
                except BaseException:
                    self._aside.kill()
                    self._aside = None
                    raise
        finally:
            self._aside_jobs -= 1
            if self._aside_jobs == 0 and self._aside is not None:
                self._aside.kill()
                self._aside = None

    def _aside_config(self, timeout: float) -> WorkerConfig:
        """How the worker for the server's own jobs starts: at a lower priority, with a remote store given as long as
        the job (``timeout``), and result limits that fit a whole-store description."""
        return replace(self.config, niceness=ASIDE_NICENESS, store_timeout=max(self.config.store_timeout, timeout + 1),
                       max_rows=max(self.config.max_rows, ASIDE_ROWS),
                       max_result_bytes=max(self.config.max_result_bytes, ASIDE_BYTES))

    def _answered(self, worker: WorkerHandle) -> None:
        """One of ``worker``'s jobs is answered: give it back once it has none left, else another of its client's."""
        if worker not in self._owner:
            return  # replaced meanwhile
        if worker.outstanding + self._promised[worker] == 0:
            self._leave(self._owner.pop(worker))
            self._release(worker)
            return
        if worker.outstanding + self._promised[worker] >= DEPTH:
            return
        client = self._owner[worker]
        self._waiters = [w for w in self._waiters if not w.future.done()]
        for waiter in self._waiters:
            if waiter.client == client and waiter.small:
                self._waiters.remove(waiter)
                waiter.behind = True
                self._promised[worker] += 1
                waiter.future.set_result(worker)
                return

    def _unpromise(self, worker: WorkerHandle) -> None:
        if self._promised[worker] > 1:
            self._promised[worker] -= 1
        else:
            self._promised.pop(worker, None)

    def _leave(self, client: Hashable) -> None:
        self._holding[client] -= 1
        if self._holding[client] <= 0:
            del self._holding[client]

    def _take_idle(self) -> WorkerHandle | None:
        """A free worker that can answer (a stopped one is replaced on the way), or None."""
        while self._idle:
            worker = self._idle.popleft()
            if not worker.seems_stopped():
                return worker
            log.warning("an idle query worker is stopped or gone; starting another")
            self._replace(worker)
        return None

    def _release(self, worker: WorkerHandle) -> None:
        """Hand ``worker`` to the fairest waiting job (see the module's docstring), or keep it idle."""
        self._waiters = [w for w in self._waiters if not w.future.done()]
        eligible = [w for w in self._waiters if self._holding[w.client] < self.share]
        if eligible:
            chosen = min(eligible, key=lambda w: self._holding[w.client])  # min keeps the oldest among equals
            self._waiters.remove(chosen)
            self._own(worker, chosen.client)
            chosen.future.set_result(worker)
            return
        self._idle.append(worker)

    def _own(self, worker: WorkerHandle, client: Hashable) -> None:
        self._owner[worker] = client
        self._holding[client] += 1

    def _behind_own_job(self, client: Hashable) -> WorkerHandle | None:
        """A worker ``client`` holds with room for one more of its jobs (see DEPTH), or None."""
        for worker, owner in self._owner.items():
            if owner == client and worker.outstanding + self._promised[worker] < DEPTH:
                return worker
        return None

    async def _acquire(self, client: Hashable, deadline: float, timeout: float, small: bool = True) -> WorkerHandle:
        """A worker for ``client``: a free one at once if its share allows, else one it holds with room for a
        ``small`` job, else its turn in the queue (refused when the queue is full)."""
        if self._holding[client] < self.share and (worker := self._take_idle()) is not None:
            self._own(worker, client)
            return worker
        if small and (worker := self._behind_own_job(client)) is not None:
            return worker
        if len(self._waiters) >= self.queue_length:
            raise errors.Busy("every query worker is busy and the queue is full: retry shortly", retry_after=1)
        loop = asyncio.get_running_loop()
        waiter = _Waiter(client, loop.create_future(), small)
        self._waiters.append(waiter)
        expiry = loop.call_at(deadline, expire, waiter.future)
        try:
            worker = await waiter.future
        except TimeoutError:
            raise errors.Busy(f"no query worker was free within the {timeout:g} s limit: retry shortly",
                              retry_after=timeout) from None
        except asyncio.CancelledError:
            future = waiter.future
            if future.done() and not future.cancelled() and future.exception() is None:
                handed = future.result()  # handed a worker just as the request went away: pass it on
                if waiter.behind:
                    self._unpromise(handed)
                    self._answered(handed)  # as if this job had been answered
                elif handed in self._owner:
                    self._leave(self._owner.pop(handed))
                    self._release(handed)
            raise
        finally:
            expiry.cancel()
            if waiter in self._waiters:
                self._waiters.remove(waiter)
        if not waiter.behind and worker.seems_stopped():  # it stopped while handed over: give it up, and wait
            self._replace(worker)
            return await self._acquire(client, deadline, timeout, small)
        return worker

    def alive(self) -> int:
        """How many workers are running (fewer than ``size`` while a killed one is being replaced)."""
        return sum(1 for worker in self._all if worker.process.is_alive())

    async def close(self) -> None:
        """Stop every worker."""
        self._closing = True
        if self._aside is not None:
            self._aside.kill()
            self._aside = None
        for task in list(self._starting):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        self._all.clear()


def _charged(refusal: errors.HttpRefusal, seconds: float) -> errors.HttpRefusal:
    """``refusal`` with the seconds its client is charged."""
    refusal.seconds = seconds  # type: ignore[attr-defined]
    return refusal


def _uncharged(refusal: errors.HttpRefusal) -> errors.HttpRefusal:
    return _charged(refusal, 0.0)
