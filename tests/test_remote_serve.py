"""Serving from a remote store when it misbehaves: stopped, killed mid-request, restarted, reloaded, or cutting
results at its own row limit. A real Virtuoso of this module's own (small data, ``ResultSetMaxRows`` 1000) behind
a real uvicorn (``kg serve --store-url``); the store is stopped with SIGSTOP / SIGKILL and started again on the
same database folder while the server keeps running.

(Everything else the server does is run on both backends by the rest of the suite: see ``conftest.backend``.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, free_port, stop_server
from virtuoso import start_virtuoso, stop_virtuoso, store_settings

from kg.remote_store import RemoteStore
from kg.store import EmbeddedStore

KG_SCRIPT = Path(sys.executable).with_name("kg")
VIRTUOSO_ROWS = 1000
ITEMS = 3000
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p> ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = {"Accept": "application/json, application/sparql-results+json"}


def small_store(items: int) -> EmbeddedStore:
    """``items`` statements in one named graph, merged into the default graph."""
    store = EmbeddedStore.in_memory()
    lines = "".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" <http://example.org/g> .\n' for i in range(items))
    store.load(lines.encode(), "application/n-quads")
    store.merge_graphs_into_default()
    return store


def count(server: LiveServer) -> int:
    response = httpx.get(server.endpoint, params={"query": COUNT}, headers=JSON, timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def wait_for_health(server: LiveServer, status: int, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        answer = httpx.get(server.url + "/health", timeout=10)
        if answer.status_code == status or time.monotonic() > deadline:
            assert answer.status_code == status, answer.text
            return answer.json()
        time.sleep(0.3)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    settings = start_virtuoso(tmp_path_factory.mktemp("virtuoso"), max_rows=VIRTUOSO_ROWS)
    remote = store_settings(settings)
    RemoteStore(remote["store_url"], remote["store_user"], remote["store_password"]).replace_with(small_store(ITEMS))
    state = dict(settings)
    yield state
    stop_virtuoso(state)


@pytest.fixture(scope="module")
def served(virtuoso: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``kg serve --store-url`` on the module's Virtuoso, query timeout 4 s, no per-client budget, a large row cap."""
    home = tmp_path_factory.mktemp("home")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    env.update(XDG_DATA_HOME=str(home), KG_QUERY_TIMEOUT="4", KG_CLIENT_BUDGET="0", KG_MAX_ROWS="100000", KG_QUERY_WORKERS="2")
    log = home / "serve.log"
    process = subprocess.Popen([str(KG_SCRIPT), "serve", "--store-url", virtuoso["KG_STORE_URL"], "--port", str(port)],
                               env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = LiveServer(f"http://127.0.0.1:{port}", "virtuoso")
    deadline = time.monotonic() + 120
    while True:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(server.url + "/health", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    yield server
    stop_server(process)
    assert "Traceback" not in log.read_text(), log.read_text()


def test_kg_serve_store_url_serves_the_remote_store(served: LiveServer, virtuoso: dict[str, str]) -> None:
    health = httpx.get(served.url + "/health", timeout=10).json()
    assert health["status"] == "ok" and health["store"] == {"answers": True} and health["graphs"] == 1
    assert health["data_version"] == RemoteStore(virtuoso["KG_STORE_URL"]).version()
    assert count(served) == ITEMS
    listing = httpx.get(served.url + "/dumps/", headers={"Accept": "text/turtle"}, timeout=30)
    assert listing.status_code == 200 and health["data_version"] in listing.text


def test_the_stores_own_row_limit_is_refused_as_too_large_not_cut(served: LiveServer) -> None:
    """Virtuoso cuts at 1000 rows (ResultSetMaxRows) and says so only in a header: the client gets 422, as for ours."""
    response = httpx.get(served.endpoint, params={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers=JSON, timeout=30)
    assert response.status_code == 422, response.text[:300]
    assert response.json()["error"] == "result-too-large" and f"{VIRTUOSO_ROWS} rows" in response.json()["message"]
    small = httpx.get(served.endpoint, params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 999"}, headers={"Accept": "text/csv"}, timeout=30)
    assert small.status_code == 200, small.text
    assert len(small.text.splitlines()) == 1 + 999


def test_our_timeout_holds_and_the_store_is_told_to_stop(served: LiveServer) -> None:
    started = time.monotonic()
    response = httpx.get(served.endpoint, params={"query": RUNAWAY}, headers=JSON, timeout=60)
    assert response.status_code == 503 and response.json()["error"] == "timeout", response.text
    assert time.monotonic() - started < 15
    # Virtuoso was given our limit (plus a second) as its own: it stops too, and lookups answer again soon
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        lookup = httpx.get(served.endpoint, params={"query": "ASK { ?s ?p ?o }"}, headers=JSON, timeout=15)
        if lookup.status_code == 200:
            break
    assert lookup.status_code == 200 and lookup.json()["boolean"] is True


def test_a_store_stopped_or_killed_gives_clean_503s_and_serving_resumes_when_it_is_back(
    served: LiveServer, virtuoso: dict[str, str]
) -> None:
    assert count(served) == ITEMS
    pid = int(virtuoso["KG_VIRTUOSO_PID"])
    # frozen between requests (SIGSTOP): queries time out with 503, /health says the store does not answer
    os.kill(pid, signal.SIGSTOP)
    try:
        frozen = httpx.get(served.endpoint, params={"query": "ASK { ?s ?p 'frozen' }"}, headers=JSON, timeout=30)
        assert frozen.status_code == 503 and frozen.json()["error"] in ("timeout", "store-unavailable"), frozen.text
        health = wait_for_health(served, 503)
        assert health["status"] == "store-unavailable" and health["store"]["answers"] is False
    finally:
        os.kill(pid, signal.SIGCONT)
    wait_for_health(served, 200)

    # killed mid-request (SIGKILL while a long query runs): that request and the next get 503 saying so, in JSON or text
    answers: list[httpx.Response] = []
    running = threading.Thread(target=lambda: answers.append(
        httpx.get(served.endpoint, params={"query": RUNAWAY + " # mid-request"}, headers=JSON, timeout=60)))
    running.start()
    time.sleep(1.5)
    stop_virtuoso(virtuoso, signal.SIGKILL)
    running.join()
    assert answers[0].status_code == 503, answers[0].text
    assert answers[0].json()["error"] == "store-unavailable" and "SPARQL store" in answers[0].json()["message"]
    down = httpx.get(served.endpoint, params={"query": "ASK { ?s ?p 'down' }"}, headers=JSON, timeout=30)
    assert down.status_code == 503 and down.json()["error"] == "store-unavailable"
    assert "cannot reach the SPARQL store" in down.json()["message"]
    text = httpx.get(served.endpoint, params={"query": "ASK { ?s ?p 'text' }"}, timeout=30)
    assert text.status_code == 503 and text.headers["content-type"].startswith("text/plain")
    assert "cannot reach the SPARQL store" in text.text and "Traceback" not in text.text
    page = httpx.get(served.url + "/doc/incident/AIAAIC0288", headers={"Accept": "text/turtle"}, timeout=30)
    assert page.status_code == 503 and "SPARQL store" in page.text
    assert wait_for_health(served, 503)["store"]["answers"] is False

    # started again on the same database folder: the same server answers again, with the same data
    virtuoso.update(start_virtuoso(Path(virtuoso["KG_VIRTUOSO_DIR"])))
    assert wait_for_health(served, 200)["store"] == {"answers": True}
    assert count(served) == ITEMS


def test_a_reload_changes_the_data_version_and_no_stale_answer_is_served(served: LiveServer, virtuoso: dict[str, str]) -> None:
    before = httpx.get(served.url + "/health", timeout=10).json()["data_version"]
    assert count(served) == ITEMS
    cached = httpx.get(served.endpoint, params={"query": COUNT}, headers=JSON, timeout=30)
    assert cached.headers["x-cache"] == "hit"
    remote = store_settings(virtuoso)
    report = RemoteStore(remote["store_url"], remote["store_user"], remote["store_password"]).replace_with(small_store(ITEMS // 2))
    health = wait_for_health(served, 200)
    deadline = time.monotonic() + 30
    while health["data_version"] == before and time.monotonic() < deadline:
        time.sleep(0.5)
        health = wait_for_health(served, 200)
    assert health["data_version"] == report.version != before
    fresh = httpx.get(served.endpoint, params={"query": COUNT}, headers=JSON, timeout=30)
    assert fresh.headers["x-cache"] == "miss" and int(fresh.json()["results"]["bindings"][0]["n"]["value"]) == ITEMS // 2
