"""A pool of query worker processes: one query each at a time, a deadline per query, kill and replace on expiry.

pyoxigraph runs outside the Python lock and cannot be interrupted from a thread, so a query that runs past
its deadline is stopped the only sure way: its process is killed (SIGKILL) and a fresh one started in the
background, while the other workers go on answering. Requests wait in a bounded queue for a free worker.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import pickle
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from kg.errors import StoreError
from server import errors
from server.worker import Job, Reply, WorkerConfig, serve

log = logging.getLogger(__name__)
RESTART_DELAY = 2.0


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context: multiprocessing.context.BaseContext, config: WorkerConfig) -> None:
        conn, child = context.Pipe()
        self.conn: Connection = conn
        self.process: BaseProcess = context.Process(target=serve, args=(child, config), daemon=True, name="kg-query")
        self.process.start()
        child.close()

    async def receive(self) -> Reply:
        """The next message from the worker, read without blocking the event loop while it works."""
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        fd = self.conn.fileno()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        reply: Reply = pickle.loads(self.conn.recv_bytes())
        return reply

    def kill(self) -> None:
        """Stop the process now, whatever it is doing."""
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class QueryPool:
    """Run jobs on worker processes with a deadline each."""

    def __init__(self, config: WorkerConfig, size: int, queue_length: int, start_timeout: float = 300.0) -> None:
        self.config = config
        self.size = size
        self.queue_length = queue_length
        self.start_timeout = start_timeout
        self.sandboxed = False
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["server.worker"])
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._waiting = 0
        self._closing = False
        self._starting: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store (raise StoreError if one cannot)."""
        await asyncio.gather(*(self._start_one(strict=True) for _ in range(self.size)))

    async def _start_one(self, strict: bool = False) -> None:
        while not self._closing:
            worker = _Worker(self._context, self.config)
            try:
                hello = await asyncio.wait_for(worker.receive(), self.start_timeout)
            except (TimeoutError, EOFError, OSError) as error:
                hello = Reply(error=("StoreError", f"the worker did not start: {error!r}"))
            if hello.error is None:
                self.sandboxed = hello.notes.get("sandboxed") == "True"
                self._all.add(worker)
                self._idle.put_nowait(worker)
                return
            worker.kill()
            if strict:
                raise StoreError(hello.error[1])
            log.error("query worker failed to start (%s); retrying in %s s", hello.error[1], RESTART_DELAY)
            await asyncio.sleep(RESTART_DELAY)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` and start another in the background."""
        self._all.discard(worker)
        worker.kill()
        if not self._closing:
            task = asyncio.get_running_loop().create_task(self._start_one())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def run(self, job: Job, timeout: float) -> Reply:
        """Run ``job`` on a free worker within ``timeout`` seconds (waiting for one at most as long)."""
        if self._idle.empty() and self._waiting >= self.queue_length:
            raise errors.Busy("every query worker is busy and the queue is full: retry shortly", retry_after=1)
        self._waiting += 1
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise errors.Busy(f"no query worker was free within {timeout:g} s: retry shortly", retry_after=timeout) from None
        finally:
            self._waiting -= 1
        started = time.perf_counter()
        try:
            worker.conn.send_bytes(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
            reply = await asyncio.wait_for(worker.receive(), timeout)
        except TimeoutError:
            self._replace(worker)
            raise errors.QueryTimeout(
                f"the query ran longer than the {timeout:g} s limit and was stopped: narrow it (LIMIT, more specific "
                "patterns) and try again",
                headers={"X-Query-Seconds": f"{time.perf_counter() - started:.3f}"},
            ) from None
        except (EOFError, OSError, pickle.UnpicklingError) as error:
            self._replace(worker)
            raise errors.QueryFailed(f"the query worker died while running the query ({error!r}); it was restarted") from None
        except BaseException:
            self._replace(worker)  # cancelled (client gone, shutdown): the worker's state is unknown
            raise
        self._idle.put_nowait(worker)
        return reply

    def alive(self) -> int:
        """How many workers are running (fewer than ``size`` while a killed one is being replaced)."""
        return sum(1 for worker in self._all if worker.process.is_alive())

    async def close(self) -> None:
        """Stop every worker."""
        self._closing = True
        for task in list(self._starting):
            task.cancel()
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
