"""The endpoints compared: ours (uvicorn + worker pool), the oxigraph server, rdflib-endpoint; each in its own process."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from live_server import free_port, start_server, stop_server  # noqa: E402

RDFLIB_ENDPOINT = """
import sys, uvicorn
from rdflib import Graph
from rdflib_endpoint import SparqlEndpoint
graph = Graph()
graph.parse(sys.argv[1], format="nt")
uvicorn.run(SparqlEndpoint(graph=graph, cors_enabled=True), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _wait(url: str, process: subprocess.Popen[bytes], timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not start")


@contextmanager
def ours(store: Path, log: Path, in_memory: bool, cache: bool) -> Iterator[tuple[str, str]]:
    """Our server (default workers), without the per-client budget (one benchmark client would exhaust it)."""
    settings = {"client_budget": "0", "store_in_memory": str(in_memory).lower(), "queue_length": "64"}
    if not cache:
        settings["cache_bytes"] = "0"
    process, server = start_server(store, log, **settings)
    try:
        yield server.url, "/sparql"
    finally:
        stop_server(process)


@contextmanager
def oxigraph_server(default: Path, named: Path, workdir: Path) -> Iterator[tuple[str, str]]:
    """The ``oxigraph`` server from PyPI (Rust), read-only, on the same quads."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    location = workdir / "oxigraph-db"
    if not location.exists():
        subprocess.run([binary, "load", "--location", str(location), "--file", str(default)], check=True, capture_output=True)
        subprocess.run([binary, "load", "--location", str(location), "--file", str(named)], check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/query", process)
        yield base, "/query"
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def rdflib_endpoint(default: Path) -> Iterator[tuple[str, str]]:
    """rdflib-endpoint over an rdflib Graph holding the default graph."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", RDFLIB_ENDPOINT, str(default), str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/", process)
        yield base, "/"
    finally:
        process.terminate()
        process.wait(timeout=20)
