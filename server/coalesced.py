"""Runs a background job when asked, one run at a time: asks made while it runs are served by one more run."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class CoalescedRunner:
    """Runs ``job`` on the event loop when asked, never two at once; any number of asks during a run make one more.

    The job may ask again itself (a retry after a failure): the running loop then goes round once more.
    """

    def __init__(self, job: Callable[[], Awaitable[None]]) -> None:
        self._job = job
        self._wanted = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def request(self) -> None:
        """Ask for a run (soon; coalesced with any already asked for)."""
        self._wanted.set()
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._wanted.is_set():
            self._wanted.clear()
            await self._job()

    async def wait(self) -> None:
        """Until no run is going or asked for."""
        if self._task is not None:
            await asyncio.shield(self._task)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
