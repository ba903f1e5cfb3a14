"""The parent's handle on one query worker process: start it, send jobs, read the replies off the event loop, kill it.

The pipe is read by one reader registered with the event loop for the worker's life, so a reply of any size
arrives without blocking the loop; a call has a deadline, and a worker's death fails the pending calls. A worker
runs its jobs one at a time, in the order sent; up to :data:`DEPTH` may be outstanding (server/pool.py sends a
second only for the client already holding the worker), so the worker finds its next job waiting when it finishes
one instead of sleeping until the event loop has read the reply and sent another.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import struct
import time
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from server.worker import Reply, WorkerConfig, serve

READ_SIZE = 1 << 20
DEPTH = 2
"""Most jobs sent to one worker and not yet answered."""
SMALL_JOB_BYTES = 1 << 16
"""A job this small is written without switching the socket to blocking mode: at most :data:`DEPTH` small jobs are
unread in the socket's buffer (about 200 KiB), which takes them whole. Only small jobs are sent to a busy worker."""
FRESH_SECONDS = 0.02
"""A worker that answered this recently is taken as running without reading /proc (a check costs about a tenth of a
cached answer); one stopped inside that window fails its next job uncharged at the deadline (server/pool.py)."""


class WorkerHandle:
    """One worker process and the parent's end of its pipe, read by one reader registered for the worker's life.

    Up to :data:`DEPTH` calls are outstanding; replies come in the order the jobs were sent, and the reader resolves
    the oldest call's future with each. A call fails with TimeoutError at its deadline, EOFError if the process
    dies, and :class:`Abandoned` if the worker is killed (for another call's deadline) before answering it.
    """

    def __init__(
        self, context: multiprocessing.context.BaseContext, config: WorkerConfig, on_exit: Callable[[WorkerHandle], None]
    ) -> None:
        conn, child = context.Pipe()
        self.conn: Connection = conn
        self.process: BaseProcess = context.Process(target=serve, args=(child, config), daemon=True, name="kg-query")
        self.process.start()
        child.close()
        self._loop = asyncio.get_running_loop()
        self._pending: deque[asyncio.Future[bytes]] = deque()
        self._fd = conn.fileno()
        self._loop.add_reader(self._fd, self._readable)
        self._listening = True
        self._on_exit = on_exit
        self._buffer = bytearray()
        self._answered = 0.0

    def _readable(self) -> None:
        """Read what the pipe holds (the loop made it non-blocking); hand over each reply once it is whole."""
        try:
            chunk = os.read(self._fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError as error:
            self._exited(repr(error))
            return
        if not chunk:
            self._exited("end of pipe")
            return
        self._buffer += chunk
        while (body := frame(self._buffer)) is not None:
            if self._pending:
                pending = self._pending.popleft()
                if not pending.done():
                    pending.set_result(body)

    def _exited(self, why: str) -> None:
        self._stop_listening()
        if not self._pending:
            self._on_exit(self)
        elif not (oldest := self._pending.popleft()).done():
            oldest.set_exception(EOFError(f"the worker exited ({why})"))  # the job it was running
        self._fail_pending(Abandoned(f"the worker exited ({why}) before it reached this job"))

    def _fail_pending(self, error: BaseException) -> None:
        while self._pending:
            pending = self._pending.popleft()
            if not pending.done():
                pending.set_exception(error)

    @property
    def outstanding(self) -> int:
        """How many jobs were sent and are not answered yet."""
        return len(self._pending)

    def _stop_listening(self) -> None:
        if self._listening:
            self._listening = False
            self._loop.remove_reader(self._fd)

    async def call(self, payload: bytes | None, timeout: float) -> Reply:
        """Send ``payload`` (None: send nothing) and wait at most ``timeout`` s for the worker's reply."""
        if not self._listening:
            raise Abandoned("the worker had exited when this job reached it")
        pending: asyncio.Future[bytes] = self._loop.create_future()
        self._pending.append(pending)
        if payload is not None and len(payload) <= SMALL_JOB_BYTES:
            self.conn.send_bytes(payload)  # the buffer takes it whole (see SMALL_JOB_BYTES)
        elif payload is not None:
            os.set_blocking(self._fd, True)  # a job larger than the socket's buffer is written whole
            try:
                self.conn.send_bytes(payload)
            finally:
                os.set_blocking(self._fd, False)
        deadline = self._loop.call_later(timeout, expire, pending)
        try:
            data = await pending
        finally:
            deadline.cancel()
        self._answered = time.monotonic()
        reply: Reply = pickle.loads(data)
        object.__setattr__(reply, "size", len(data))
        return reply

    def seems_stopped(self) -> bool:
        """:meth:`stopped`, taken as False for a worker that answered within :data:`FRESH_SECONDS`."""
        return time.monotonic() - self._answered > FRESH_SECONDS and self.stopped()

    def stopped(self) -> bool:
        """Whether the process is stopped (SIGSTOP) or gone: it will answer nothing."""
        try:
            with open(f"/proc/{self.process.pid}/stat", "rb") as stat:
                state = stat.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            return not self.process.is_alive()
        return state in (b"T", b"t", b"Z", b"X")

    def kill(self) -> None:
        """Stop the process now, whatever it is doing; its unanswered calls fail with :class:`Abandoned`."""
        self._stop_listening()
        self._fail_pending(Abandoned("the worker was stopped before it answered this job"))
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class Abandoned(Exception):
    """A job that was waiting in a worker killed for another job's sake: it never ran to an answer (run it elsewhere)."""


def frame(buffer: bytearray) -> bytes | None:
    """Take one whole message (as ``Connection.send_bytes`` frames it) off ``buffer``; None until it is whole."""
    if len(buffer) < 4:
        return None
    (size,) = struct.unpack("!i", buffer[:4])
    start = 4
    if size == -1:  # a message of 2 GiB or more: an 8-byte length follows
        if len(buffer) < 12:
            return None
        (size,) = struct.unpack("!Q", buffer[4:12])
        start = 12
    if len(buffer) < start + size:
        return None
    body = bytes(buffer[start : start + size])
    del buffer[: start + size]
    return body


def expire(pending: asyncio.Future) -> None:  # type: ignore[type-arg]
    if not pending.done():
        pending.set_exception(TimeoutError())
