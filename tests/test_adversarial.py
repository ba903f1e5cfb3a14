"""The attacks of issue 11 on a real server (uvicorn on loopback), each while a second client checks it is still served.

Every attack comes from its own loopback address (127.0.0.x: each is another client to the server) and is bounded in
count and time; meanwhile the victim, at 127.0.0.2, looks incidents up (p99 under LOOKUP_P99 s) and fetches a static
file (each under STATIC_MAX s), and never gets a 5xx. The module's server runs with short limits (3 s per query, 2 s
to send a request) so that each attack lasts seconds.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, start_server, stop_server

from kg.publication import ensure_release, releases_dir
from kg.store import CURRENT, KEEP_BUILDS, EmbeddedStore, Solutions

VICTIM = "127.0.0.2"
LOOKUP_P99 = 1.0
STATIC_MAX = 0.5
ATTACK_SECONDS = 5.0
QUERY_TIMEOUT = 3
READ_TIMEOUT = 2
PROXY = "127.0.0.6"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
JSON = {"Accept": "application/sparql-results+json"}
REPO = Path(__file__).resolve().parent.parent
KG_SCRIPT = Path(sys.executable).with_name("kg")
_unique = itertools.count()


def client(address: str, timeout: float = 15) -> httpx.Client:
    """An HTTP client whose connections come from ``address`` (a loopback address: another client to the server)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=timeout)


@dataclass
class Seen:
    """What the victim saw: seconds per lookup and per static file, and every status (0: no answer)."""

    lookups: list[float] = field(default_factory=list)
    statics: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def check(self) -> None:
        failures = {status: n for status, n in self.statuses.items() if status >= 500 or status == 0}
        assert not failures, f"the other client got server errors or no answer (0) in 10 s: {dict(self.statuses)}"
        assert len(self.lookups) >= 3 and len(self.statics) >= 3, f"the victim got too few answers: {self}"
        lookups = self.lookups * 2  # quantiles needs two points; the same p99
        p99 = statistics.quantiles(lookups, n=100, method="inclusive")[98]
        assert p99 < LOOKUP_P99, f"lookups of the other client: p99 {p99:.2f} s (max {max(self.lookups):.2f} s)"
        assert max(self.statics) < STATIC_MAX, f"a static file took {max(self.statics):.2f} s"


def _timed(seen: Seen, into: list[float], call: Callable[[], httpx.Response], timeout: float) -> None:
    started = time.monotonic()
    try:
        seen.statuses[call().status_code] += 1
    except httpx.HTTPError:
        seen.statuses[0] += 1
        into.append(timeout)
        return
    into.append(time.monotonic() - started)


def while_attacked(server: LiveServer, attack: Callable[[threading.Event], object], incidents: list[str],
                   seconds: float = ATTACK_SECONDS) -> tuple[Seen, object]:
    """Run ``attack`` (told to stop through the event) for ``seconds`` while the victim probes; what each saw."""
    seen, stop, timeout = Seen(), threading.Event(), 10.0
    offset = next(_unique) * 50
    with ThreadPoolExecutor(1) as background, client(VICTIM, timeout) as victim:
        attacking = background.submit(attack, stop)
        time.sleep(0.3)  # let the attack begin
        deadline = time.monotonic() + seconds
        for n in itertools.count():
            if time.monotonic() > deadline or n >= 400:
                break
            iri = incidents[(offset + n) % len(incidents)]
            query = f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
            _timed(seen, seen.lookups, lambda: victim.get(server.endpoint, params={"query": query}, headers=JSON), timeout)
            _timed(seen, seen.statics, lambda: victim.get(server.url + "/static/query.css"), timeout)
            time.sleep(0.05)
        stop.set()
        outcome = attacking.result(timeout=60)
    return seen, outcome


@pytest.fixture(scope="module")
def server(store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn over the session's build with short limits, trusting one proxy address."""
    log = tmp_path_factory.mktemp("adversarial") / "server.log"
    # the server writes the release of its build when it starts, if missing: write it here, beyond its start deadline
    ensure_release(EmbeddedStore.open(store_path), (store_path / CURRENT).resolve(), releases_dir(store_path))
    settings = {"query_timeout": str(QUERY_TIMEOUT), "read_timeout": str(READ_TIMEOUT), "client_burst": "4",
                "client_budget": "12", "trusted_proxies": f'["{PROXY}"]'}
    process, live = start_server(store_path, log, **settings)
    yield live
    stop_server(process)


@pytest.fixture(scope="module")
def incidents(store_path: Path) -> list[str]:
    result = EmbeddedStore.open(store_path).query(
        "SELECT ?s WHERE { ?s a <https://w3id.org/ai-incidents/def/Incident> } ORDER BY ?s LIMIT 600")
    assert isinstance(result, Solutions) and len(result.rows) > 100
    return [str(row["s"]) for row in result.rows]


def _raw(server: LiveServer, head: bytes, filler: bytes = b"", size: int = 0, address: str = "127.0.0.1") -> bytes:
    """Send ``head`` then up to ``size`` bytes of ``filler`` (stopping when the server closes); the reply's start."""
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(address, 0)) as raw:
        try:
            raw.sendall(head)
            for _ in range(size // max(1, len(filler))):
                raw.sendall(filler)
        except OSError:
            pass  # the server stopped reading: its answer is what counts
        try:
            return raw.recv(4096)
        except OSError:
            return b""


# -- 1. a parse on the event loop ----------------------------------------------------------------------------------

def test_a_big_query_mentioning_service_does_not_stall_other_clients(server: LiveServer, incidents: list[str]) -> None:
    def attack(stop: threading.Event) -> list[int]:
        statuses = []
        with client("127.0.0.11", timeout=30) as attacker:
            for _ in range(2):
                body = "SELECT * WHERE { <urn:s> " + "<urn:p> <urn:o> ; " * 700 + f" }} # service {time.time()}"
                try:
                    statuses.append(attacker.post(server.endpoint, content=body,
                                                  headers={"Content-Type": "application/sparql-query"}).status_code)
                except httpx.HTTPError:
                    statuses.append(0)
                if stop.is_set():
                    break
        return statuses

    seen, _ = while_attacked(server, attack, incidents)
    seen.check()


# -- 2. unbounded headers, slow clients ----------------------------------------------------------------------------

def test_header_and_request_line_limits_answer_431_and_414(server: LiveServer) -> None:
    big_header = _raw(server, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ", b"y" * 65536, 8 * 1024 * 1024)
    assert big_header.startswith(b"HTTP/1.1 431 "), big_header[:200]
    assert b'"headers-too-large"' in big_header and b"nosniff" in big_header
    with client("127.0.0.1") as plain:
        just_under = plain.get(server.url + "/health", headers={"X-Pad": "x" * 8000})
        assert just_under.status_code == 200
        long_line = plain.get(server.endpoint, params={"query": "ASK {}", "pad": "x" * 40_000})
        assert long_line.status_code == 414 and long_line.json()["error"] == "uri-too-long"
        under_the_line = plain.get(server.endpoint, params={"query": "ASK {} #" + "x" * 20_000}, headers=JSON)
        assert under_the_line.status_code == 200, under_the_line.text


def test_huge_headers_and_a_4_mb_accept_do_not_stall_other_clients(server: LiveServer, incidents: list[str]) -> None:
    def attack(stop: threading.Event) -> list[bytes]:
        heads = [b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ", b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nAccept: "]
        replies = []
        with ThreadPoolExecutor(4) as senders:
            for _ in range(3):
                jobs = [senders.submit(_raw, server, heads[n % 2], b"text/html;q=0.1," * 4096, 32 * 1024 * 1024,
                                       "127.0.0.12") for n in range(4)]
                replies += [job.result(timeout=60) for job in jobs]
                if stop.is_set():
                    break
        return replies

    seen, replies = while_attacked(server, attack, incidents)
    seen.check()
    assert replies and all(reply.startswith(b"HTTP/1.1 431 ") for reply in replies), {r[:40] for r in replies}


def _slow(server: LiveServer, head: bytes, drip: bytes, address: str) -> tuple[bytes, float]:
    """Send ``head``, then ``drip`` every 0.2 s until the server answers or closes: its reply and the seconds taken."""
    port = int(server.url.rsplit(":", 1)[1])
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=0.2, source_address=(address, 0)) as raw:
        raw.sendall(head)
        while time.monotonic() - started < READ_TIMEOUT + 8:
            try:
                reply = raw.recv(4096)
                return reply, time.monotonic() - started
            except TimeoutError:
                try:
                    raw.sendall(drip)
                except OSError:
                    return b"", time.monotonic() - started
            except OSError:
                return b"", time.monotonic() - started
    return b"(still open)", time.monotonic() - started


@pytest.mark.parametrize("kind", ["headers", "body"])
def test_slow_clients_are_cut_off_after_the_read_timeout(server: LiveServer, incidents: list[str], kind: str) -> None:
    head = (b"GET /health HTTP/1.1\r\nHost: x\r\n" if kind == "headers" else
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 900\r\n\r\n")
    drip = b"X-Slow: y\r\n" if kind == "headers" else b"#"

    def attack(stop: threading.Event) -> list[tuple[bytes, float]]:
        with ThreadPoolExecutor(20) as lorises:
            jobs = [lorises.submit(_slow, server, head, drip, "127.0.0.13") for _ in range(20)]
            return [job.result(timeout=60) for job in jobs]

    seen, outcomes = while_attacked(server, attack, incidents, seconds=READ_TIMEOUT + 2)
    seen.check()
    for reply, seconds in outcomes:
        assert reply.startswith(b"HTTP/1.1 408 "), reply[:200]
        assert READ_TIMEOUT - 0.5 < seconds < READ_TIMEOUT + 3, f"cut off after {seconds:.1f} s"


# -- 3. one client with many slow queries -------------------------------------------------------------------------

def test_one_client_with_many_slow_queries_does_not_starve_the_others(server: LiveServer, incidents: list[str]) -> None:
    def attack(stop: threading.Event) -> Counter[int]:
        statuses: Counter[int] = Counter()
        with client("127.0.0.14", timeout=30) as attacker, ThreadPoolExecutor(8) as connections:
            def slow_queries() -> None:
                for _ in range(50):
                    if stop.is_set():
                        return
                    query = RUNAWAY + f" # {next(_unique)}"
                    try:
                        status = attacker.get(server.endpoint, params={"query": query}, headers=JSON).status_code
                    except httpx.HTTPError:
                        status = 0
                    statuses[status] += 1
                    if status == 429:
                        time.sleep(0.2)  # refused at its limit: it keeps trying, as a real client would

            for job in [connections.submit(slow_queries) for _ in range(8)]:
                job.result(timeout=60)
        return statuses

    seen, statuses = while_attacked(server, attack, incidents)
    seen.check()
    assert statuses, "the attack sent nothing"


# -- 4. the budget is the client's address ------------------------------------------------------------------------

def _spend_budget(server: LiveServer, address: str, headers: dict[str, str] | None = None) -> None:
    """Two queries that run into the time limit, one after the other (a client runs one query at a time when
    there are two workers): the client's whole burst (and more) is spent."""
    with client(address, timeout=30) as spender:
        statuses = [spender.get(server.endpoint, params={"query": RUNAWAY + f" # {next(_unique)}"},
                                headers={**JSON, **(headers or {})}).status_code for _ in range(2)]
    assert set(statuses) <= {503, 429}, statuses


def test_a_new_user_agent_or_forwarded_header_does_not_reset_the_budget(server: LiveServer, incidents: list[str]) -> None:
    def attack(stop: threading.Event) -> list[int]:
        _spend_budget(server, "127.0.0.15")
        disguises = [{}, {"User-Agent": "a fresh browser"}, {"X-Forwarded-For": "198.51.100.77"},
                     {"X-Forwarded-For": "198.51.100.78", "User-Agent": "curl/9", "Forwarded": "for=198.51.100.79"}]
        with client("127.0.0.15") as dodger:
            return [dodger.get(server.endpoint, params={"query": f"ASK {{}} # {n}"}, headers={**JSON, **disguise}).status_code
                    for n, disguise in enumerate(disguises)]

    seen, statuses = while_attacked(server, attack, incidents, seconds=QUERY_TIMEOUT + 2)
    seen.check()
    assert statuses == [429, 429, 429, 429], statuses
    with client("127.0.0.16") as newcomer:
        assert newcomer.get(server.endpoint, params={"query": "ASK {} # newcomer"}, headers=JSON).status_code == 200


def test_forwarded_for_counts_only_from_a_trusted_proxy(server: LiveServer) -> None:
    _spend_budget(server, PROXY, {"X-Forwarded-For": "198.51.100.1"})
    with client(PROXY) as proxy:
        def ask(forwarded: str) -> int:
            query = f"ASK {{}} # {next(_unique)}"
            return proxy.get(server.endpoint, params={"query": query}, headers={**JSON, "X-Forwarded-For": forwarded}).status_code

        assert ask("198.51.100.1") == 429  # the client the proxy named has spent its budget
        assert ask("198.51.100.9, 198.51.100.1") == 429  # what the client prepended does not count
        assert ask("198.51.100.2") == 200  # another client behind the same proxy
    with client("127.0.0.17") as untrusted:  # not a proxy we trust: its header is ignored, its own budget counts
        forged = untrusted.get(server.endpoint, params={"query": "ASK {} # forged"},
                               headers={**JSON, "X-Forwarded-For": "198.51.100.1"})
        assert forged.status_code == 200


# -- 6. pages that read the store -----------------------------------------------------------------------------------

def test_heavy_pages_and_404_pages_do_not_stall_other_clients(server: LiveServer, incidents: list[str]) -> None:
    def attack(stop: threading.Event) -> Counter[int]:
        statuses: Counter[int] = Counter()
        with client("127.0.0.18", timeout=30) as attacker, ThreadPoolExecutor(4) as connections:
            def pages(n: int) -> None:
                for count in range(200):
                    if stop.is_set():
                        return
                    path = "/doc/org/aiaaic" if n % 2 == 0 else f"/doc/org/no-such-organisation-{n}-{count}"
                    try:
                        statuses[attacker.get(server.url + path, headers={"Accept": "text/html"}).status_code] += 1
                    except httpx.HTTPError:
                        statuses[0] += 1

            for job in [connections.submit(pages, n) for n in range(4)]:
                job.result(timeout=60)
        return statuses

    seen, statuses = while_attacked(server, attack, incidents)
    seen.check()
    assert statuses, "the attack sent nothing"


# -- 5. rebuilds under a running server ------------------------------------------------------------------------------

def _kg_build(data: Path, store: Path, label: str) -> None:
    (data / "curated" / "marker.ttl").write_text(
        f'<urn:kg-test:marker> <http://www.w3.org/2000/01/rdf-schema#label> "{label}" .\n', encoding="utf-8")
    clean = {name: value for name, value in os.environ.items() if not name.startswith("KG_")}
    result = subprocess.run([str(KG_SCRIPT), "build", "--data", str(data), "--store", str(store)],
                            capture_output=True, text=True, timeout=120, cwd=REPO, env=clean)
    assert result.returncode == 0, result.stderr[-2000:]


def test_a_running_server_survives_rebuilds_and_serves_the_newest(tmp_path: Path) -> None:
    data, store = tmp_path / "data", tmp_path / "store"
    shutil.copytree(REPO / "data" / "curated", data / "curated")
    _kg_build(data, store, "build 0")
    process, live = start_server(store, tmp_path / "server.log", read_timeout=str(READ_TIMEOUT))
    marker = "SELECT ?label WHERE { <urn:kg-test:marker> ?p ?label }"
    try:
        with client(VICTIM) as victim:
            assert victim.get(live.endpoint, params={"query": marker}, headers=JSON).json()["results"]["bindings"]
            seen: Counter[int] = Counter()
            paths = ["/health", "/doc/incident/AIAAIC0288", "/static/query.css", "/.well-known/void", "/dumps/"]

            def probe(rounds: int) -> None:
                for _ in range(rounds):
                    seen[victim.get(live.endpoint, params={"query": marker}, headers=JSON).status_code] += 1
                    for path in paths:
                        response = victim.get(live.url + path)
                        seen[response.status_code] += 1
                        assert ".sst" not in response.text

            for n in range(1, 4):
                _kg_build(data, store, f"build {n}")
                probe(3)
            newest = (store / CURRENT).resolve().name
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                health = victim.get(live.url + "/health")
                if health.json().get("data_version") == newest:
                    break
                time.sleep(0.5)
            assert health.status_code == 200 and health.json()["data_version"] == newest, health.text
            probe(2)
            assert set(seen) == {200}, seen
            labels = victim.get(live.endpoint, params={"query": marker}, headers=JSON).json()["results"]["bindings"]
            assert [row["label"]["value"] for row in labels] == ["build 3"]
    finally:
        stop_server(process)
    _kg_build(data, store, "build 4")  # no server reads any build now: the next build prunes all but the newest
    assert len(list((store / "builds").iterdir())) <= KEEP_BUILDS, "builds no server reads are still pruned"


# -- 7, 8, 9. statuses, well-formed XML, security headers --------------------------------------------------------

def test_a_result_a_format_cannot_carry_is_a_clear_4xx(server: LiveServer) -> None:
    from xml.dom import minidom

    triple_term = "CONSTRUCT { <urn:a> <urn:b> ?t } WHERE { BIND(TRIPLE(<urn:a>, <urn:b>, <urn:c>) AS ?t) }"
    control = 'SELECT ("a\\u0001b" AS ?x) {}'
    graph_control = 'CONSTRUCT { <urn:a> <urn:b> "x\\u001Fy" } WHERE {}'
    with client("127.0.0.19") as plain:
        def ask(query: str, accept: str) -> httpx.Response:
            return plain.get(server.endpoint, params={"query": query}, headers={"Accept": accept})

        json_ld = ask(triple_term, "application/ld+json")
        assert json_ld.status_code == 406 and "JSON-LD" in json_ld.text, json_ld.text
        assert ask(triple_term, "text/turtle").status_code == 200
        for query, accept in ((control, "application/sparql-results+xml"), (graph_control, "application/rdf+xml")):
            refused = ask(query, accept)
            assert refused.status_code == 406 and "XML 1.0" in refused.text, (accept, refused.status_code, refused.text)
            assert "accept" in refused.headers["vary"].lower()
        assert ask(control, "application/sparql-results+json").json()["results"]["bindings"][0]["x"]["value"] == "a\x01b"
        fine = ask('SELECT ("tab\\there é \\uFFFD" AS ?x) {}', "application/sparql-results+xml")
        assert fine.status_code == 200
        minidom.parseString(fine.content)  # well-formed


def test_every_response_carries_the_security_headers(server: LiveServer) -> None:
    with client("127.0.0.20") as plain:
        responses = [plain.get(server.url + path) for path in
                     ("/", "/doc/incident/AIAAIC0288", "/doc/org/no-such-organisation", "/static/query.js", "/health")]
        responses.append(plain.get(server.endpoint, params={"query": "SELECT nonsense"}))
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        policy = response.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, response.url
    error = responses[-1]
    assert error.status_code == 400 and "accept" in error.headers["vary"].lower()
