"""Test fixtures that start real servers: uvicorn on a free loopback port, as ``kg serve`` runs it.

Imported by ``tests/conftest.py`` so that every test module shares one server per session.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from server.serving import uvicorn_arguments


@dataclass(frozen=True)
class LiveServer:
    """A running server: its base URL and endpoint, and the backend it serves from."""

    url: str
    backend: str = "embedded"

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(store: Path, log: Path, **settings: str) -> tuple[subprocess.Popen[bytes], LiveServer]:
    """Start uvicorn with the app factory on ``store`` (or the remote store that ``store_url=`` names); wait until
    /health answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "KG_STORE": str(store), "KG_PUBLIC_URL": url}
    env.update({f"KG_{name.upper()}": value for name, value in settings.items()})
    command = [sys.executable, "-m", "uvicorn", "--factory", "server.main:app_from_environment",
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log", *uvicorn_arguments()]
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300  # a loaded machine (shared CI) can take minutes to write the first release
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url + "/health", timeout=5).status_code == 200:
                return process, LiveServer(url, "virtuoso" if settings.get("store_url") else "embedded")
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not start within 300 s: {log.read_text()[-2000:]}")


def wait_for_descriptions(get: Callable[..., httpx.Response], within: float = 300) -> dict[str, int]:
    """Wait until the server (``get``: its GET, taking a path) has computed what it computes at start-up (home-page
    statistics, service description, VoID: /health's ``descriptions``); their counts. They run beside the pool,
    but until they are kept a client asking for one may wait and be told to retry (503)."""
    deadline = time.monotonic() + within
    while (descriptions := get("/health").json()["descriptions"])["computing"]:
        assert time.monotonic() < deadline, f"the start-up descriptions were not computed within {within:g} s"
        time.sleep(0.1)
    return descriptions


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and its query workers (uvicorn shuts the app down on SIGTERM)."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def live_server(backend, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn serving the session's store with the default settings, on each backend."""
    log = tmp_path_factory.mktemp(f"live-server-{backend.name}") / "server.log"
    process, server = start_server(backend.store_path, log, **backend.environment())
    yield server
    stop_server(process)
