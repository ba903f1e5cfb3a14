"""The endpoints compared: ours (``kg serve``), the oxigraph server, rdflib-endpoint, Virtuoso; each in its own process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from live_server import free_port

START_VIRTUOSO = Path(__file__).resolve().parents[2] / ".ci" / "start-virtuoso"

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
def ours(store: Path, log: Path, in_memory: bool, cache: bool, workers: int = 1,
         remote: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """Our server as ``kg serve --workers N`` runs it (on ``remote``'s store when given: store_url, store_user,
    store_password), without the per-client limits (one benchmark client would exhaust them)."""
    settings = {"client_budget": "0", "client_concurrency": "0", "store_in_memory": str(in_memory).lower(),
                "queue_length": "64", **(remote or {})}
    if not cache:
        settings["cache_bytes"] = "0"
    port = free_port()
    env = {**os.environ, **{f"KG_{name.upper()}": value for name, value in settings.items()}}
    command = [str(Path(sys.executable).parent / "kg"), "serve", "--store", str(store), "--port", str(port),
               "--workers", str(workers)]
    if remote:
        command[2:4] = []  # the remote store from KG_STORE_URL; KG_STORE still names where releases go
        env["KG_STORE"] = str(store)
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/sparql", process)
        yield base, "/sparql"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def virtuoso(store: Path, folder: Path) -> Iterator[tuple[str, str, dict[str, str]]]:
    """A throw-away Virtuoso (``.ci/start-virtuoso``) loaded with ``store``'s graphs: its base URL, path, settings."""
    from kg.remote_store import RemoteStore
    from kg.store import EmbeddedStore

    started = subprocess.run([str(START_VIRTUOSO), str(folder)], capture_output=True, text=True, timeout=300, check=True)
    settings = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    try:
        remote = RemoteStore(settings["KG_STORE_URL"], settings["KG_STORE_USER"], settings["KG_STORE_PASSWORD"], timeout=600)
        report = remote.replace_with(EmbeddedStore.open(store))
        remote.close()
        print(f"  Virtuoso loaded {report.statements:,} statements in {report.seconds:.0f} s", file=sys.stderr, flush=True)
        url = settings["KG_STORE_URL"]
        base, _, path = url.partition("//")[2].partition("/")
        yield f"http://{base}", "/" + path, {name.removeprefix("KG_").lower(): settings[name]
                                             for name in ("KG_STORE_URL", "KG_STORE_USER", "KG_STORE_PASSWORD")}
    finally:
        pid = int(settings.get("KG_VIRTUOSO_PID", "0"))
        if pid:
            os.kill(pid, signal.SIGTERM)
            for _ in range(300):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)


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
