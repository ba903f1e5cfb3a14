"""A public endpoint's defences: no URL fetching, killable timeouts, result caps, budgets, a bounded queue.

Runs against real worker processes: the app through TestClient with tight limits, and the session's uvicorn
(default settings) for the timeout promise.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from backends import Backend
from fastapi.testclient import TestClient
from live_server import LiveServer, wait_for_descriptions

from server import create_app
from server.errors import FetchRefused
from server.guard import check_query
from server.home_jobs import home_jobs

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Listener:
    """A loopback TCP server that counts the connections it gets (it should get none)."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    spy = Listener()
    yield spy
    spy.close()


@pytest.fixture(scope="module")
def client(backend: Backend) -> Iterator[TestClient]:
    settings = backend.settings(client_budget=0, max_rows=10, max_result_bytes=64 * 1024)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _w3c_service_queries(shared_dir: Path) -> list[Path]:
    return sorted((shared_dir / "conformance/rdf-tests/sparql/sparql11/service").glob("*.rq"))


def test_every_w3c_service_query_is_refused(client: TestClient, shared_dir: Path) -> None:
    files = _w3c_service_queries(shared_dir)
    assert len(files) >= 7
    for path in files:
        response = client.post("/sparql", content=path.read_bytes(), headers={"Content-Type": "application/sparql-query"})
        assert response.status_code == 400, (path.name, response.text)
        assert "SERVICE" in response.text


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ ?x ?y ?z FILTER EXISTS {{ SELECT ?s {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }} }} }}",
        "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        "ASK {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ SERVICE <{url}> {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }}",  # malformed: still never sent
    ],
)
def test_service_is_refused_and_nothing_is_fetched(client: TestClient, listener: Listener, template: str) -> None:
    query = template.format(url=f"http://127.0.0.1:{listener.port}/sparql")
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400, response.text
    time.sleep(0.2)
    assert listener.connections == 0


def test_from_names_a_graph_and_reads_no_file_or_url(client: TestClient, listener: Listener, tmp_path: Path) -> None:
    secret = tmp_path / "secret.nt"
    secret.write_text('<http://example.org/s> <http://example.org/p> "the secret" .\n')
    for source in (secret.as_uri(), f"http://127.0.0.1:{listener.port}/data.nt"):
        for query in (f"SELECT ?o FROM <{source}> WHERE {{ ?s ?p ?o }}", f"SELECT ?o FROM NAMED <{source}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
            response = client.get("/sparql", params={"query": query})
            assert response.status_code == 200
            assert response.json()["results"]["bindings"] == []
        dataset = client.get("/sparql", params={"query": "SELECT ?o WHERE { ?s ?p ?o }", "default-graph-uri": source})
        assert dataset.json()["results"]["bindings"] == []
    assert listener.connections == 0


def test_allow_list_names_endpoints_exactly() -> None:
    allowed = frozenset({"http://allowed.example/sparql"})
    check_query("SELECT * { SERVICE <http://allowed.example/sparql> { ?s ?p ?o } }", allowed)
    for refused in ("http://allowed.example/sparql2", "http://other.example/sparql"):
        with pytest.raises(FetchRefused):
            check_query(f"SELECT * {{ SERVICE <{refused}> {{ ?s ?p ?o }} }}", allowed)
    with pytest.raises(FetchRefused):
        check_query("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", allowed)


def test_words_that_merely_contain_service_or_load_still_run(client: TestClient) -> None:
    query = 'SELECT ?payload WHERE { BIND("customer service" AS ?payload) }'
    assert client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["payload"]["value"] == "customer service"


def test_results_over_the_caps_are_refused_not_cut(client: TestClient) -> None:
    for media_type in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        rows = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 11"}, headers={"Accept": media_type})
        assert rows.status_code == 422 and "more than 10 rows" in rows.text
        assert client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10"}, headers={"Accept": media_type}).status_code == 200
    for media_type in ("text/turtle", "application/n-triples", "application/ld+json"):
        triples = client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 11"}, headers={"Accept": media_type})
        assert triples.status_code == 422, triples.text
        assert client.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 10"}, headers={"Accept": media_type}).status_code == 200
    big = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o . ?x ?y ?z } LIMIT 10 OFFSET 0", "format": "xml"})
    assert big.status_code == 200
    wide = "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o . ?x ?y ?z } LIMIT 1"
    too_many_bytes = client.get("/sparql", params={"query": wide})
    assert too_many_bytes.status_code in (422, 503)  # either the byte cap or the time limit stops it, never a 200


def test_budget_answers_429_with_retry_after(backend: Backend) -> None:
    settings = backend.settings(query_workers=1, client_budget=6, client_burst=0.001)
    app = create_app(settings)
    with TestClient(app) as stingy:
        first = stingy.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
        assert first.status_code == 200
        second = stingy.get("/sparql", params={"query": "ASK {}"})
        assert second.status_code == 429, second.text
        assert int(second.headers["retry-after"]) >= 1
        for disguise in ({"User-Agent": "another client"}, {"X-Forwarded-For": "192.0.2.99"}):
            same_client = stingy.get("/sparql", params={"query": "ASK {}"}, headers=disguise)
            assert same_client.status_code == 429, f"{disguise} reset the budget: the client is its address"
        elsewhere = TestClient(app, client=("192.0.2.7", 50000))
        elsewhere.portal = stingy.portal  # the same running app (one event loop), another peer address
        other_client = elsewhere.get("/sparql", params={"query": "ASK {}"})
        assert other_client.status_code == 200


def _wait_for_descriptions(get: Callable[..., httpx.Response]) -> None:
    """Wait until the descriptions computed at start-up are kept, every one of them (none failed)."""
    descriptions = wait_for_descriptions(get)
    assert descriptions["kept"] == len(home_jobs()) + 2, descriptions  # the home page's, the service's, VoID
    assert get("/.well-known/void", headers={"Accept": "text/turtle"}).status_code == 200
    assert get("/sparql", headers={"Accept": "text/turtle"}).status_code == 200


def test_full_queue_answers_503_and_a_killed_worker_is_replaced(backend: Backend) -> None:
    settings = backend.settings(query_workers=1, queue_length=0, query_timeout=2, client_budget=0)
    app = create_app(settings)
    with TestClient(app) as tight, ThreadPoolExecutor(1) as background:
        _wait_for_descriptions(tight.get)  # not refused by the full queue: the server's own jobs wait their turn
        runaway = background.submit(tight.get, "/sparql", params={"query": RUNAWAY})
        time.sleep(0.5)
        other = TestClient(app, client=("192.0.2.7", 50000))
        other.portal = tight.portal  # the same running app, another client: held back by the full queue, not a share
        busy = other.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert busy.status_code == 503 and "queue is full" in busy.text and int(busy.headers["retry-after"]) >= 1
        timed_out = runaway.result(timeout=30)
        assert timed_out.status_code == 503 and "2 s limit" in timed_out.text
        deadline = time.monotonic() + 30
        while tight.get("/health").json()["workers"]["alive"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert tight.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def _from(address: str) -> httpx.Client:
    """An HTTP client whose requests come from loopback ``address``: another client to the server."""
    return httpx.Client(timeout=60, transport=httpx.HTTPTransport(local_address=address))


def test_runaway_query_times_out_while_lookups_still_answer(live_server: LiveServer) -> None:
    """The promise with the default settings: a timeout error within 15 s, other clients' lookups meanwhile in under
    a second (a client holds at most one of the two workers, so its own lookups wait for its runaway query)."""
    with _from("127.0.0.30") as setup:
        _wait_for_descriptions(lambda path, **kw: setup.get(live_server.url + path, **kw))
    with ThreadPoolExecutor(1) as background, _from("127.0.0.31") as attacker, _from("127.0.0.32") as http:
        started = time.monotonic()
        runaway = background.submit(attacker.get, live_server.endpoint, params={"query": RUNAWAY})
        time.sleep(1)
        for attempt in range(3):
            lookup_started = time.monotonic()
            lookup = http.get(live_server.endpoint, params={"query": f"SELECT ?label WHERE {{ ?x rdfs:label ?label }} LIMIT {attempt + 1}"})
            assert lookup.status_code == 200
            assert time.monotonic() - lookup_started < 1.0
        assert not runaway.done(), "the runaway query ended before the lookups were made"
        response = runaway.result(timeout=60)
        elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert "ran longer than the 10 s limit" in response.text
    assert elapsed < 15


def test_worker_sandbox_has_no_network(tmp_path: Path) -> None:
    """The backstop behind the SERVICE check: a sandboxed process cannot reach even the loopback interface."""
    spy = Listener()
    try:
        script = (
            "import socket, sys\n"
            "from server.sandbox import deny_network\n"
            "assert deny_network()\n"
            f"try:\n    socket.create_connection(('127.0.0.1', {spy.port}), timeout=2)\nexcept OSError:\n    sys.exit(0)\n"
            "sys.exit(1)\n"
        )
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=30)
        assert result.returncode == 0, result.stderr
    finally:
        spy.close()
    assert spy.connections == 0
