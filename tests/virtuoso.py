"""Test helpers that run a real Virtuoso on loopback (with ``.ci/start-virtuoso``): start, stop, kill, start again.

Without Virtuoso installed, :func:`start_virtuoso` skips the test saying why; ``KG_REQUIRE_VIRTUOSO=1`` (set by
``.ci/run``) makes that a failure instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

START = Path(__file__).resolve().parents[1] / ".ci" / "start-virtuoso"
SETTINGS = ("KG_STORE_URL", "KG_STORE_USER", "KG_STORE_PASSWORD")


def start_virtuoso(folder: Path, max_rows: int | None = None) -> dict[str, str]:
    """Start a throw-away Virtuoso in ``folder`` (or the one set up there before, on its database).

    Returns its KG_* settings: URL, user, password, pid, folder. ``max_rows`` sets its own ResultSetMaxRows.
    """
    if shutil.which("virtuoso-t") is None:
        reason = "Virtuoso is not installed (apt-get install virtuoso-opensource)"
        if os.environ.get("KG_REQUIRE_VIRTUOSO") == "1":
            pytest.fail(f"{reason}, and KG_REQUIRE_VIRTUOSO=1 requires it")
        pytest.skip(f"{reason}; set KG_REQUIRE_VIRTUOSO=1 to make this a failure")
    env = {**os.environ, **({"KG_VIRTUOSO_MAX_ROWS": str(max_rows)} if max_rows else {})}
    started = subprocess.run([str(START), str(folder)], capture_output=True, text=True, timeout=120, check=False, env=env)
    assert started.returncode == 0, started.stderr
    return dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)


def _wait_gone(pid: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def stop_virtuoso(settings: dict[str, str], sig: signal.Signals = signal.SIGTERM) -> None:
    """Stop the Virtuoso started with ``settings`` (SIGTERM: cleanly; SIGKILL: as a crash) and wait until it is gone."""
    pid = int(settings["KG_VIRTUOSO_PID"])
    try:
        os.kill(pid, signal.SIGCONT)  # a stopped process would never handle SIGTERM
        os.kill(pid, sig)
    except ProcessLookupError:
        return
    _wait_gone(pid)


def store_settings(settings: dict[str, str]) -> dict[str, str]:
    """The settings a server or command needs to use this Virtuoso: URL, user, password (lower-case names)."""
    return {name.removeprefix("KG_").lower(): settings[name] for name in SETTINGS}
