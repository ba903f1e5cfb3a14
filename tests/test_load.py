"""Under a flood from one client the server answers 200 until the client's limits answer 429, and never 5xx.

One client (one IP address) sends a realistic mix (lookups, listings by organisation and by issue,
aggregates, DESCRIBE of incidents) from 32 connections at once to a live server with a small query-time budget.
Its own limits stop it: at most ``client_concurrency`` queries in flight (429 ``too-many-queries``), then its
budget (429 ``over-budget``), both with Retry-After; the shared queue never fills, so no one gets 503.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import httpx
from backends import Backend
from live_server import start_server, stop_server, wait_for_descriptions

from kg.queries import examples

CONCURRENCY = 32
FLOOD_SECONDS = 8.0
PREFIXES = "PREFIX kg: <https://w3id.org/ai-incidents/def/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"


def _mix(incidents: list[str], organisations: list[str], issues: list[str]) -> list[str]:
    """Queries as people send them: mostly lookups and listings, some aggregates and DESCRIBEs."""
    lookups = [f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}" for iri in incidents]
    by_org = [
        PREFIXES + f"SELECT DISTINCT ?incident WHERE {{ ?i kg:agent <{org}> ; kg:involvedIn ?system . "
        "?incident kg:involvesSystem ?system } LIMIT 100" for org in organisations
    ]
    by_issue = [PREFIXES + f"SELECT ?incident WHERE {{ ?incident kg:ethicalIssue <{issue}> }} LIMIT 100" for issue in issues]
    describes = [f"DESCRIBE <{iri}>" for iri in incidents[:10]]
    aggregates = [e.text for name, e in examples().items() if name in ("issues-count", "incidents-per-year", "incidents-by-deployer")]
    return lookups * 3 + by_org * 2 + by_issue * 2 + describes + aggregates


def _sample(store_query, sparql: str, limit: int) -> list[str]:
    rows = store_query(PREFIXES + sparql + f" LIMIT {limit}").rows
    return [str(next(iter(row.values()))) for row in rows]


async def _flood(endpoint: str, queries: list[str], seconds: float) -> list[tuple[int, str, str | None]]:
    """``CONCURRENCY`` connections sending queries for ``seconds``: (status, error code, Retry-After) of each."""
    rng = random.Random(4)
    seen: list[tuple[int, str, str | None]] = []
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    headers = {"Accept": "application/sparql-results+json, text/turtle;q=0.9, application/json;q=0.8",
               "User-Agent": "kg-load-test"}
    async with httpx.AsyncClient(limits=limits, timeout=30, headers=headers) as client:

        async def connection() -> None:
            while time.monotonic() < deadline:
                response = await client.get(endpoint, params={"query": rng.choice(queries)})
                code = response.json().get("error", "") if response.status_code >= 400 else ""
                seen.append((response.status_code, code, response.headers.get("retry-after")))

        await asyncio.gather(*(connection() for _ in range(CONCURRENCY)))
    return seen


def test_one_client_flooding_gets_200_then_429_and_never_5xx(backend: Backend, tmp_path: Path) -> None:
    query = backend.store.query
    incidents = _sample(query, "SELECT ?s WHERE { ?s a kg:Incident } ORDER BY ?s", 60)
    organisations = _sample(query, "SELECT DISTINCT ?o WHERE { ?i kg:agent ?o } ORDER BY ?o", 30)
    issues = _sample(query, "SELECT DISTINCT ?c WHERE { ?i kg:ethicalIssue ?c } ORDER BY ?c", 20)
    queries = _mix(incidents, organisations, issues)
    settings = {"client_budget": "1", "client_burst": "0.5", "client_concurrency": "8", "queue_length": "16",
                **backend.environment()}
    process, server = start_server(backend.store_path, tmp_path / "server.log", **settings)
    try:
        started = time.monotonic()
        seen = asyncio.run(_flood(server.endpoint, queries, FLOOD_SECONDS))
        elapsed = time.monotonic() - started
        elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")  # another loopback address: another client
        with httpx.Client(transport=elsewhere, timeout=15) as someone_else:
            other = someone_else.get(server.endpoint, params={"query": queries[0]})
    finally:
        stop_server(process)
    statuses = Counter(status for status, _, _ in seen)
    codes = Counter(code for _, code, _ in seen if code)
    assert elapsed < 60, f"the flood of {FLOOD_SECONDS} s took {elapsed:.0f} s"
    assert not [s for s in statuses if s >= 500], f"server errors under load: {statuses} {codes}"
    assert set(statuses) <= {200, 429}, statuses
    assert statuses[200] >= 10, statuses
    assert codes["over-budget"] > 0, f"the budget never answered: {statuses} {codes}"
    assert set(codes) <= {"over-budget", "too-many-queries"}, codes
    assert all(retry is not None and int(retry) >= 1 for status, _, retry in seen if status == 429)
    assert other.status_code == 200, "another client was refused: the limits must be per client"


def test_large_answers_from_every_worker_at_once_arrive_whole(live_server) -> None:
    """Results far larger than a pipe's buffer, several at a time, reach the client complete and intact."""
    queries = [f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} OFFSET {n * 100} LIMIT 9000" for n in range(8)]

    async def fetch_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60, headers={"Accept": "application/sparql-results+json"}) as client:
            return await asyncio.gather(*(client.get(live_server.endpoint, params={"query": q}) for q in queries))

    responses = asyncio.run(fetch_all())
    assert [r.status_code for r in responses] == [200] * len(queries), [r.text[:200] for r in responses]
    for response in responses:
        assert len(response.content) > 1_000_000
        assert len(response.json()["results"]["bindings"]) == 9000


def _descendants(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _query_workers(server_pid: int) -> set[int]:
    """The query worker processes: children of the server's forkserver."""
    workers = set()
    for pid in _descendants(server_pid):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"forkserver" in cmdline:
            workers |= {int(c) for task in Path(f"/proc/{pid}/task").iterdir() for c in (task / "children").read_text().split()}
    return workers


def test_idle_workers_killed_from_outside_are_replaced_before_anyone_notices(store_path: Path, tmp_path: Path) -> None:
    """Kill every idle query worker (as the OOM killer would): the next queries are answered 200, none 5xx."""
    process, server = start_server(store_path, tmp_path / "server.log", query_workers="2")
    try:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
        assert httpx.get(server.endpoint, params={"query": query}, timeout=15).status_code == 200
        wait_for_descriptions(lambda path: httpx.get(server.url + path, timeout=30))  # their own worker is gone then
        before = _query_workers(process.pid)
        assert len(before) == 2, before
        for pid in before:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        statuses = [httpx.get(server.endpoint, params={"query": f"{query} LIMIT {n + 1}"}, timeout=30).status_code
                    for n in range(10)]
        after = _query_workers(process.pid)
    finally:
        stop_server(process)
    assert statuses == [200] * 10, statuses
    assert len(after) == 2 and not after & before, (before, after)
