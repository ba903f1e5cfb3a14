"""Accepted submissions reach the pages and the endpoint without a manual rebuild: ``kg build`` runs in the background
(one at a time; requests made while one runs are served by one more run), and the server follows the new build."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path

from kg.settings import Settings
from server.coalesced import CoalescedRunner

log = logging.getLogger(__name__)


class Rebuilder:
    """Runs ``kg build`` on the served store when asked, never two at once."""

    def __init__(self, settings: Settings, submissions: Path) -> None:
        self.settings = settings
        self.submissions = submissions
        self._runner = CoalescedRunner(self._build)
        self.runs = 0
        self.last_exit: int | None = None

    @property
    def enabled(self) -> bool:
        """Only the embedded store is rebuilt here (a remote store is loaded by its own ``kg build --store-url``)."""
        return not self.settings.store_url

    def request(self) -> None:
        """Ask for a rebuild (soon; coalesced with any already asked for)."""
        if not self.enabled:
            return
        self._runner.request()

    async def _build(self) -> None:
        command = [str(Path(sys.executable).with_name("kg")), "build", "--store", str(self.settings.store)]
        if self.settings.data:
            command += ["--data", str(self.settings.data)]
        env = {**os.environ, "KG_SUBMISSIONS_DB": str(self.submissions)}
        process = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=asyncio.subprocess.PIPE)
        _, errors = await process.communicate()
        self.runs += 1
        self.last_exit = process.returncode
        if process.returncode:
            log.error("rebuild after an accepted submission failed (%s): %s", process.returncode,
                      errors.decode(errors="replace")[-2000:])

    async def wait(self) -> None:
        """Until no rebuild is running or asked for (for shutdown)."""
        await self._runner.wait()

    def cancel(self) -> None:
        self._runner.cancel()
