"""The one way in, against a real uvicorn on loopback: pages are worker jobs under the same limits as queries,
nothing is parsed on the event loop, the workers are shared fairly, a query's limit covers its wait, nobody is
charged for a worker someone else stopped, and HEAD works wherever GET does.

Clients are told apart by their loopback source address (127.0.0.x), which every notion of client identity
keeps apart. Every loop is bounded in count and time.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, start_server, stop_server, wait_for_descriptions

TIMEOUT = 3.0
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A query that runs far past any time limit (a triple cross product of the store)."""
INCIDENTS = "https://w3id.org/ai-incidents/id/incident/"


@pytest.fixture(scope="module")
def server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, int]]:
    """Our server with a short time limit, two workers, no cache, and a small per-client budget (bursts of 4 s)."""
    log = tmp_path_factory.mktemp("one-path") / "server.log"
    process, live = start_server(store_path, log, query_timeout=str(TIMEOUT), query_workers="2", cache_bytes="0",
                                 client_budget="0.6", client_burst="4", client_concurrency="8")
    with client(live, "127.0.0.10") as c:
        wait_for_descriptions(c.get)
    yield live, process.pid
    stop_server(process)


def client(live: LiveServer, address: str) -> httpx.Client:
    """An HTTP client whose requests come from ``address`` (a loopback address of its own)."""
    return httpx.Client(base_url=live.url, timeout=30, transport=httpx.HTTPTransport(local_address=address))


def workers(server_pid: int) -> list[int]:
    """The query worker processes of the server (children of its forkserver, a child of the server)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    children = {pid for pid, parent in parents.items() if parent == server_pid}
    return sorted(pid for pid, parent in parents.items() if parent in children)


def wait_for_workers(server_pid: int, count: int = 2) -> list[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [pid for pid in workers(server_pid) if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "T"]
        if len(found) >= count:
            return found
        time.sleep(0.2)
    raise AssertionError("the server's query workers did not come back")


def stop(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)


def test_a_page_is_a_worker_job_and_never_read_beside_the_workers(server: tuple[LiveServer, int]) -> None:
    live, pid = server
    stopped = wait_for_workers(pid)
    stop(stopped)
    try:
        with client(live, "127.0.0.11") as c:
            started = time.monotonic()
            response = c.get("/doc/incident/AIAAIC0288", headers={"Accept": "text/turtle"})
            took = time.monotonic() - started
    finally:
        for worker in stopped:  # those the pool has not already killed
            try:
                os.kill(worker, signal.SIGCONT)
            except ProcessLookupError:
                pass
    assert took < TIMEOUT + 2, took
    assert response.status_code in (200, 503), response.text
    now = workers(pid)  # a worker busy with the start-up descriptions is noticed only at that job's deadline
    assert set(stopped) - set(now), "no stopped worker was noticed: the page did not go through the workers"


def test_a_client_over_budget_gets_429_on_pages_too(server: tuple[LiveServer, int]) -> None:
    live, pid = server
    wait_for_workers(pid)
    with client(live, "127.0.0.12") as c:
        for _ in range(2):  # each runs to the limit and is charged it: 2 x 3 s > the 4 s burst
            assert c.get("/sparql", params={"query": SLOW}).status_code == 503
        page = c.get("/doc/incident/AIAAIC0288", headers={"Accept": "text/html"})
        assert page.status_code == 429, page.text
        assert c.get("/def", headers={"Accept": "text/html"}).status_code == 429
    with client(live, "127.0.0.13") as other:  # another client still has its budget (once the killed workers are back)
        statuses = [other.get("/doc/incident/AIAAIC0288", headers={"Accept": "text/html"}).status_code for _ in range(5)]
        assert 200 in statuses and 429 not in statuses, statuses


def test_a_long_query_mentioning_service_never_stalls_the_loop(server: tuple[LiveServer, int]) -> None:
    live, pid = server
    wait_for_workers(pid)
    query = "SELECT * WHERE { <urn:s> " + "<urn:p> <urn:o> ; " * 1500 + " } # service " + str(time.time())
    assert len(query) > 18_000
    results: list[int] = []
    with client(live, "127.0.0.14") as heavy:
        sender = threading.Thread(target=lambda: results.append(heavy.post(
            "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}).status_code))
        sender.start()
        with client(live, "127.0.0.15") as c:
            for _ in range(5):
                started = time.monotonic()
                assert c.get("/static/query.css").status_code == 200
                assert time.monotonic() - started < 0.5
                time.sleep(0.05)
        sender.join(timeout=30)
    assert results and results[0] in (200, 400), results


def test_one_client_with_many_slow_queries_cannot_hold_every_worker(server: tuple[LiveServer, int]) -> None:
    live, pid = server
    wait_for_workers(pid)
    statuses: list[int] = []

    def flood() -> None:
        with client(live, "127.0.0.16") as hog:
            statuses.append(hog.get("/sparql", params={"query": SLOW + f" # {time.time()}"}).status_code)

    floods = [threading.Thread(target=flood) for _ in range(4)]
    for thread in floods:
        thread.start()
    time.sleep(0.5)  # the hog's queries hold or wait for workers
    with client(live, "127.0.0.17") as c:
        for n in range(3):
            lookup = f"SELECT ?p ?o WHERE {{ <{INCIDENTS}AIAAIC02{n}8> ?p ?o }}"
            response = c.get("/sparql", params={"query": lookup}, headers={"Accept": "application/sparql-results+json"})
            assert response.status_code == 200, response.text
    for thread in floods:
        thread.join(timeout=30)
    assert 200 not in statuses and len(statuses) == 4


def test_the_time_limit_covers_the_wait_for_a_worker(server: tuple[LiveServer, int]) -> None:
    live, pid = server
    wait_for_workers(pid)
    holders = []
    for address in ("127.0.0.18", "127.0.0.19"):  # two clients hold both workers with queries that run to the limit
        c = client(live, address)
        holders.append(threading.Thread(target=lambda c=c: (c.get("/sparql", params={"query": SLOW + f" # {address}"}), c.close())))
    for thread in holders:
        thread.start()
    time.sleep(0.5)
    with client(live, "127.0.0.20") as waiting:
        started = time.monotonic()
        response = waiting.get("/sparql", params={"query": SLOW + " # waiting"})
        took = time.monotonic() - started
    for thread in holders:
        thread.join(timeout=30)
    assert response.status_code == 503
    assert took < TIMEOUT + 1.5, f"waited {took:.1f} s for a {TIMEOUT:g} s limit"


def test_nobody_is_charged_for_a_worker_someone_else_stopped(server: tuple[LiveServer, int]) -> None:
    live, pid = server
    with client(live, "127.0.0.21") as c:
        for _ in range(2):  # charged, each would cost the 3 s limit: 6 s > the 4 s burst
            running = wait_for_workers(pid)
            answer: list[httpx.Response] = []
            sender = threading.Thread(target=lambda: answer.append(c.get("/sparql", params={"query": SLOW + f" # {time.time()}"})))
            sender.start()
            time.sleep(0.5)
            stop(running)
            sender.join(timeout=30)
            for worker in running:
                try:
                    os.kill(worker, signal.SIGCONT)
                except ProcessLookupError:
                    pass
            assert answer[0].status_code == 503
            assert "stopped" in answer[0].text, answer[0].text
        wait_for_workers(pid)
        statuses = [c.get("/doc/incident/AIAAIC0288", headers={"Accept": "text/html"}).status_code for _ in range(3)]
        assert 200 in statuses and 429 not in statuses, statuses  # charged 2 x 3 s, the last would be 429


HEAD_PATHS = ["/sparql", "/sparql?query=ASK%7B%7D", "/", "/query", "/health", "/examples", "/doc/incident/AIAAIC0288",
              "/def", "/dumps/", "/.well-known/void"]


@pytest.mark.parametrize("path", HEAD_PATHS)
def test_head_works_wherever_get_does(server: tuple[LiveServer, int], path: str) -> None:
    live, _ = server
    with client(live, f"127.0.1.{HEAD_PATHS.index(path) + 1}") as c:  # a client each: the budget is not under test
        get = c.get(path, headers={"Accept": "text/turtle"} if "void" in path else {})
        head = c.head(path, headers={"Accept": "text/turtle"} if "void" in path else {})
    assert get.status_code == 200, get.text
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_other_methods_get_405_with_the_methods_allowed(server: tuple[LiveServer, int]) -> None:
    live, _ = server
    with client(live, "127.0.0.23") as c:
        response = c.request("PUT", "/sparql")
        others = {path: c.request("DELETE", path) for path in ("/", "/health", "/doc/incident/AIAAIC0288", "/dumps/")}
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}
    for path, other in others.items():
        assert other.status_code == 405, path
        assert {m.strip() for m in other.headers["allow"].split(",")} == {"GET", "HEAD"}, path
