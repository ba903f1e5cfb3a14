"""The parent's handle on one query worker process: start it, send a job, read the reply off the event loop, kill it.

The pipe is read by one reader registered with the event loop for the worker's life, so a reply of any size
arrives without blocking the loop; a call has a deadline, and a worker's death fails the pending call.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import struct
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from server.worker import Reply, WorkerConfig, serve

READ_SIZE = 1 << 20
SMALL_JOB_BYTES = 1 << 16
"""A job this small fits in the socket's empty buffer (a worker has one job at a time), so it is written without
switching the socket to blocking mode."""
FRESH_SECONDS = 0.02
"""A worker that answered this recently is taken as running without reading /proc (a check costs about a tenth of a
cached answer); one stopped inside that window fails its next job uncharged at the deadline (server/pool.py)."""


class WorkerHandle:
    """One worker process and the parent's end of its pipe, read by one reader registered for the worker's life.

    At most one call is outstanding (a worker runs one query at a time); its future is resolved by the reader
    with the reply's bytes, or failed with TimeoutError at the deadline or EOFError if the process dies.
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
        self._pending: asyncio.Future[bytes] | None = None
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
            pending, self._pending = self._pending, None
            if pending is not None and not pending.done():
                pending.set_result(body)

    def _exited(self, why: str) -> None:
        self._stop_listening()
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_exception(EOFError(f"the worker exited ({why})"))
        elif pending is None:
            self._on_exit(self)

    def _stop_listening(self) -> None:
        if self._listening:
            self._listening = False
            self._loop.remove_reader(self._fd)

    async def call(self, payload: bytes | None, timeout: float) -> Reply:
        """Send ``payload`` (None: send nothing) and wait at most ``timeout`` s for the worker's reply."""
        if not self._listening:
            raise EOFError("the worker has exited")
        pending: asyncio.Future[bytes] = self._loop.create_future()
        self._pending = pending
        if payload is not None and len(payload) <= SMALL_JOB_BYTES:
            self.conn.send_bytes(payload)  # the worker has read every earlier job: the buffer takes it whole
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
            self._pending = None
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
        """Stop the process now, whatever it is doing."""
        self._stop_listening()
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


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
