"""Faults, with real processes and real signals: the store survives them and answers exactly as before.

- ``kg build`` (the installed script) over an existing store, killed with SIGKILL while importing, validating
  and writing the store: the previous store still opens, its whole N-Quads dump is byte for byte the same (every
  block read back through the engine's checksums) and it answers the probe queries as before; the next build
  removes the partial build folders the killed ones left and succeeds.
- the server (uvicorn) killed with SIGKILL with requests in flight: its query workers go with it, and a restarted
  server answers the same; one query worker killed mid-query: only that request fails, with a clear 503, the
  worker is replaced and every other request is answered.
- ``kg build`` on a nearly full disk (a real tmpfs, which needs root, as CI has): exit 2 with "no space left"
  naming the folder, the partial build removed, the previous store still served.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, start_server, stop_server, wait_for_descriptions
from mounts import tmpfs

from kg.store import BUILDS, CURRENT, PARTIAL, EmbeddedStore, TripleStore

REPO = Path(__file__).resolve().parents[1]
KG_SCRIPT = Path(sys.executable).with_name("kg")
PROBES = {
    "size": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "incidents": "SELECT ?i ?title WHERE { ?i a kg:Incident ; dct:title ?title } ORDER BY ?i ?title LIMIT 200",
    "kings-cross": "SELECT ?role ?agent WHERE { ?inv kg:involvedIn ?x ; kg:role ?role ; kg:agent ?agent . "
    "?x ^kg:involvesSystem <https://w3id.org/ai-incidents/id/incident/AIAAIC0288> } ORDER BY ?role ?agent",
}
SLOW_QUERY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?p ?b . ?b ?q ?c }} # {tag}"
"""About 3 s on this machine: long enough to be killed in the middle (the tag makes each text new)."""
STAGES = ("importing the source datasets", "validating against the shapes", "writing the store")
"""Progress lines of ``kg build``; the build is killed just after each appears."""


def probe_answers(store: TripleStore) -> dict[str, list[dict[str, str]]]:
    answers = {}
    for name, query in PROBES.items():
        result = store.query(query)
        answers[name] = [{k: str(v) for k, v in row.items()} for row in result.rows]  # type: ignore[union-attr]
    return answers


def dump_digest(store: EmbeddedStore) -> str:
    """SHA-256 of the whole store as N-Quads: reading it back touches (and checksums) every block."""

    class Digest:
        def __init__(self) -> None:
            self.hash = hashlib.sha256()

        def write(self, data: bytes) -> int:
            self.hash.update(data)
            return len(data)

        def flush(self) -> None:
            """Nothing buffered."""

    sink = Digest()
    store.dump(sink, "application/n-quads")  # type: ignore[arg-type]
    return sink.hash.hexdigest()


@dataclass(frozen=True)
class Reference:
    """What the session's build looks like before any fault: its folder, dump digest and probe answers."""

    build: Path
    digest: str
    answers: dict[str, list[dict[str, str]]]


@pytest.fixture(scope="module")
def reference(embedded_store: EmbeddedStore) -> Reference:
    assert embedded_store.location is not None
    return Reference(embedded_store.location, dump_digest(embedded_store), probe_answers(embedded_store))


def copy_store(reference: Reference, into: Path) -> Path:
    """A store folder holding a copy of the reference build as its current build."""
    (into / BUILDS).mkdir(parents=True)
    shutil.copytree(reference.build, into / BUILDS / reference.build.name)
    (into / CURRENT).symlink_to(Path(BUILDS) / reference.build.name)
    return into


def assert_intact(store_dir: Path, reference: Reference) -> None:
    assert (store_dir / CURRENT).resolve().name == reference.build.name
    store = EmbeddedStore.open(store_dir)
    assert dump_digest(store) == reference.digest
    assert probe_answers(store) == reference.answers
    del store


def kill_build_at(store_dir: Path, stage: str, log: Path) -> list[str]:
    """Run ``kg build --store store_dir``, SIGKILL it once ``stage`` is printed; the build folders it left."""
    with log.open("wb") as err:
        process = subprocess.Popen([str(KG_SCRIPT), "build", "--store", str(store_dir)], cwd=REPO,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert process.stderr is not None
        deadline = time.monotonic() + 180
        try:
            for line in process.stderr:
                err.write(line)
                if stage.encode() in line:
                    time.sleep(0.3)
                    break
                assert time.monotonic() < deadline, "the build did not reach the stage in time"
            else:
                pytest.fail(f"the build ended before '{stage}': {log.read_text()[-2000:]}")
            process.send_signal(signal.SIGKILL)
        finally:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return sorted(p.name for p in (store_dir / BUILDS).iterdir())


@pytest.mark.slow
def test_a_build_killed_at_any_stage_leaves_the_previous_store_and_the_next_build_cleans_up(reference, tmp_path):
    store_dir = copy_store(reference, tmp_path / "store")
    leftovers: list[str] = []
    for stage in STAGES:
        left = kill_build_at(store_dir, stage, tmp_path / f"killed-{stage.split()[0]}.log")
        assert_intact(store_dir, reference)
        leftovers += [name for name in left if name.endswith(PARTIAL)]
    assert leftovers, "the build killed while writing left no partial build: it was not killed mid-write"

    done = subprocess.run([str(KG_SCRIPT), "build", "--store", str(store_dir)], cwd=REPO, capture_output=True, check=False,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    builds = sorted(p.name for p in (store_dir / BUILDS).iterdir())
    assert not [name for name in builds if name.endswith(PARTIAL)], builds
    assert reference.build.name in builds and len(builds) == 2  # the previous build stays for servers still on it
    current = (store_dir / CURRENT).resolve()
    assert current.name != reference.build.name
    assert probe_answers(EmbeddedStore.open(store_dir)) == reference.answers


# -- serving -------------------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent]
        found += kids
        frontier += kids
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def query_workers(server_pid: int) -> list[int]:
    """The query worker processes: the children of the forkserver that uvicorn started."""
    direct = set(children(server_pid)) - {grandchild for child in children(server_pid) for grandchild in children(child)}
    return sorted(worker for forkserver in direct for worker in children(forkserver))


def http_answers(client: httpx.Client, server: LiveServer) -> dict[str, list[dict[str, str]]]:
    answers = {}
    for name, query in PROBES.items():
        response = client.get(server.endpoint, params={"query": query},
                              headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.text
        answers[name] = [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]
    return answers


@pytest.fixture
def serving(store_path: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], LiveServer, Path]]:
    """A server on the session's store with the budget and cache off (every query reaches a worker)."""
    log = tmp_path / "server.log"
    process, server = start_server(store_path, log, client_budget="0", cache_bytes="0", query_timeout="30",
                                   query_workers="2")
    wait_for_descriptions(lambda path: httpx.get(server.url + path, timeout=60))
    yield process, server, log
    if process.poll() is None:
        stop_server(process)


@pytest.mark.slow
def test_a_server_killed_with_requests_in_flight_restarts_on_an_intact_store(serving, store_path, tmp_path):
    process, server, _ = serving
    with httpx.Client(timeout=60) as client:
        before = http_answers(client, server)
    descendants = children(process.pid)
    assert len(descendants) >= 3  # the forkserver and two query workers
    outcomes: list[object] = []

    def ask(tag: int) -> None:
        try:
            outcomes.append(httpx.get(server.endpoint, params={"query": SLOW_QUERY.format(tag=tag)}, timeout=60))
        except httpx.TransportError as error:
            outcomes.append(error)

    in_flight = [threading.Thread(target=ask, args=(tag,)) for tag in range(4)]
    for thread in in_flight:
        thread.start()
    time.sleep(1.0)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    for thread in in_flight:
        thread.join(timeout=60)
    assert len(outcomes) == 4 and all(isinstance(o, httpx.TransportError) for o in outcomes), outcomes
    deadline = time.monotonic() + 15
    while any(running(pid) for pid in descendants) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in descendants if running(pid)], "query workers outlived their server"

    restarted, again = start_server(store_path, tmp_path / "restarted.log")
    try:
        with httpx.Client(timeout=60) as client:
            assert http_answers(client, again) == before
    finally:
        stop_server(restarted)


def from_address(address: str) -> httpx.Client:
    """An HTTP client whose requests come from loopback ``address``: another client to the server."""
    return httpx.Client(timeout=90, transport=httpx.HTTPTransport(local_address=address))


@pytest.mark.slow
def test_a_killed_query_worker_fails_only_its_request_with_a_clear_503_and_is_replaced(serving):
    process, server, log = serving
    workers = query_workers(process.pid)
    assert len(workers) == 2, workers
    slow: dict[int, httpx.Response] = {}
    quick: list[httpx.Response] = []
    stop = threading.Event()

    def ask_slow(tag: int) -> None:  # each slow query from a client of its own: a client holds one worker at most
        with from_address(f"127.0.0.{40 + tag}") as client:
            slow[tag] = client.get(server.endpoint, params={"query": SLOW_QUERY.format(tag=tag)})

    def ask_quick() -> None:
        with from_address("127.0.0.43") as client:
            while not stop.is_set():
                quick.append(client.get(server.endpoint, params={"query": PROBES["kings-cross"]},
                                        headers={"Accept": "application/sparql-results+json"}))

    threads = [threading.Thread(target=ask_slow, args=(tag,)) for tag in (1, 2)]
    for thread in threads:
        thread.start()
        time.sleep(0.2)
    threads.append(threading.Thread(target=ask_quick))
    threads[-1].start()
    time.sleep(1.0)  # both workers are busy with a slow query now
    os.kill(workers[0], signal.SIGKILL)
    for thread in threads[:2]:
        thread.join(timeout=90)
    deadline = time.monotonic() + 30
    while len(quick) < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    stop.set()
    threads[-1].join(timeout=90)

    statuses = sorted(response.status_code for response in slow.values())
    assert statuses == [200, 503], {tag: (r.status_code, r.text[:300]) for tag, r in slow.items()}
    died = next(r for r in slow.values() if r.status_code == 503)
    assert "worker died" in died.text and "restarted" in died.text and "Traceback" not in died.text, died.text
    assert quick and all(r.status_code == 200 for r in quick), sorted({r.status_code for r in quick})

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        health = httpx.get(server.url + "/health", timeout=10).json()
        if health["workers"]["alive"] == 2:
            break
        time.sleep(0.2)
    assert health["workers"]["alive"] == 2, health
    replaced = query_workers(process.pid)
    assert len(replaced) == 2 and workers[0] not in replaced and workers[1] in replaced
    assert httpx.get(server.endpoint, params={"query": PROBES["size"]}, timeout=60).status_code == 200
    assert "Traceback" not in log.read_text(errors="replace")


# -- a full disk -----------------------------------------------------------------------------------------------


@pytest.fixture
def small_disk(reference: Reference, tmp_path: Path) -> Iterator[Path]:
    """A tmpfs that holds the reference build with room for half another one (mounting needs root)."""
    size = sum(f.stat().st_size for f in reference.build.rglob("*") if f.is_file())
    with tmpfs(tmp_path / "small-disk", f"{size * 3 // 2 // 1024 + 1024}k") as mount:
        yield mount


@pytest.mark.slow
def test_a_full_disk_fails_the_build_clearly_and_the_previous_store_still_serves(reference, small_disk, tmp_path):
    store_dir = copy_store(reference, small_disk / "store")
    done = subprocess.run([str(KG_SCRIPT), "build", "--store", str(store_dir)], cwd=REPO, capture_output=True, check=False,
                          text=True, timeout=600)
    assert done.returncode == 2, done.stderr[-3000:]
    assert f"error: no space left on the device for the new build in {store_dir / BUILDS}" in done.stderr, done.stderr[-3000:]
    assert "the previous store is kept" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in (store_dir / BUILDS).iterdir()) == [reference.build.name]
    assert_intact(store_dir, reference)

    process, server = start_server(store_dir, tmp_path / "server.log", releases=str(tmp_path / "releases"))
    try:
        with httpx.Client(timeout=60) as client:
            assert http_answers(client, server) == reference.answers
    finally:
        stop_server(process)
