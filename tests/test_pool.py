"""The query worker pool on the real store: replies reach the job that asked, a client's second job may wait in its
own worker, and a job whose worker is killed for the job before it is run elsewhere, uncharged."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from kg.store import CURRENT
from server.jobs import SparqlQuery
from server.pool import QueryPool
from server.worker import WorkerConfig

JSON = "application/sparql-results+json"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _lookup(key: str) -> SparqlQuery:
    iri = f"https://w3id.org/ai-incidents/id/incident/{key}"
    return SparqlQuery(f"SELECT ?s ?p ?o WHERE {{ BIND(<{iri}> AS ?s) ?s ?p ?o }} LIMIT 3", {"solutions": JSON})


def _subjects(body: bytes) -> set[str]:
    return {row["s"]["value"] for row in json.loads(body)["results"]["bindings"]}


def _pool(store_path: Path, size: int) -> QueryPool:
    config = WorkerConfig(build=(store_path / CURRENT).resolve(), in_memory=False, max_rows=10_000, max_result_bytes=1 << 24)
    return QueryPool(config, size, queue_length=64)


def test_each_reply_reaches_the_job_that_asked_when_one_client_keeps_its_workers_busy(store_path: Path) -> None:
    keys = [f"AIAAIC{number:04d}" for number in range(100, 160)]

    async def scenario() -> list[set[str]]:
        pool = _pool(store_path, 2)  # one client may hold one worker: its jobs queue in that worker, two deep
        await pool.start()
        try:
            replies = await asyncio.gather(*(pool.run(_lookup(key), 30, "one client") for key in keys))
        finally:
            await pool.close()
        return [_subjects(reply.value.body) for reply in replies]  # type: ignore[union-attr]

    answers = asyncio.run(scenario())
    for key, subjects in zip(keys, answers, strict=True):
        assert subjects <= {f"https://w3id.org/ai-incidents/id/incident/{key}"}, (key, subjects)
    assert sum(1 for subjects in answers if subjects) > len(keys) / 2  # most of these incidents exist


def test_a_job_behind_one_that_times_out_runs_on_another_worker_uncharged(store_path: Path) -> None:
    async def scenario() -> tuple[BaseException | None, object, float]:
        pool = _pool(store_path, 2)
        await pool.start()
        try:
            slow = asyncio.ensure_future(pool.run(SparqlQuery(SLOW, {"solutions": JSON}), 1.5, "one client"))
            await asyncio.sleep(0.2)  # the slow job is running; the next one waits in the same worker
            started = time.monotonic()
            quick = await pool.run(_lookup("AIAAIC0288"), 20, "one client")
            took = time.monotonic() - started
            error = (await asyncio.gather(slow, return_exceptions=True))[0]
        finally:
            await pool.close()
        return error, quick, took

    error, quick, took = asyncio.run(scenario())
    assert type(error).__name__ == "QueryTimeout", error
    assert _subjects(quick.value.body) == {"https://w3id.org/ai-incidents/id/incident/AIAAIC0288"}  # type: ignore[attr-defined]
    assert took >= 1.0, f"the second job did not wait behind the first ({took:.2f} s)"
    assert quick.seconds < 1.0, "the job was charged for the time it waited behind the one that timed out"  # type: ignore[attr-defined]


def test_another_client_never_waits_behind_a_slow_job(store_path: Path) -> None:
    async def scenario() -> float:
        pool = _pool(store_path, 2)
        await pool.start()
        try:
            slow = asyncio.ensure_future(pool.run(SparqlQuery(SLOW, {"solutions": JSON}), 3, "busy client"))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            for _ in range(5):
                await pool.run(_lookup("AIAAIC0288"), 3, "another client")
            took = time.monotonic() - started
            await asyncio.gather(slow, return_exceptions=True)
        finally:
            await pool.close()
        return took

    assert asyncio.run(scenario()) < 1.0


def test_the_servers_own_job_runs_beside_a_one_worker_pool_and_its_worker_is_stopped_after(store_path: Path) -> None:
    """A whole-store description computed at start-up never holds the clients' only worker."""
    async def scenario() -> tuple[float, BaseException | None, int]:
        pool = _pool(store_path, 1)
        await pool.start()
        try:
            aside = asyncio.ensure_future(pool.run_aside(SparqlQuery(SLOW, {"solutions": JSON}), 3.0))
            await asyncio.sleep(1.0)  # the description's own worker has started and runs it
            started = time.monotonic()
            quick = await pool.run(_lookup("AIAAIC0288"), 20, "a client")
            waited = time.monotonic() - started
            assert _subjects(quick.value.body)  # type: ignore[union-attr]
            failure = None
            try:
                await aside
            except BaseException as error:  # noqa: BLE001 - the slow job passes its deadline: TimeoutError
                failure = error
            return waited, failure, len(pool._all) + (pool._aside is not None)
        finally:
            await pool.close()

    waited, failure, workers = asyncio.run(scenario())
    assert waited < 1.5, f"the client waited {waited:.1f} s for the server's own job"
    assert isinstance(failure, TimeoutError)  # killed at its deadline, on its own worker
    assert workers == 1  # the aside worker is gone once no description is left to compute


def _nice(pid: int) -> int:
    """A process's nice value (field 19 of /proc/PID/stat, counted after the command's closing parenthesis)."""
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_the_servers_own_jobs_run_at_a_lower_priority_and_past_the_clients_row_limit(store_path: Path) -> None:
    """The description worker yields the CPU to the clients' workers, and a client's small row limit (here 3) does
    not stop a description that is larger."""
    tiny = WorkerConfig(build=(store_path / CURRENT).resolve(), in_memory=False, max_rows=3, max_result_bytes=1 << 24)
    rows = SparqlQuery("SELECT ?s WHERE { ?s a ?type } LIMIT 10", {"solutions": JSON})

    async def scenario() -> tuple[int, int, str, int]:
        pool = QueryPool(tiny, 1, queue_length=4)
        await pool.start()
        try:
            aside = asyncio.ensure_future(pool.run_aside(SparqlQuery(SLOW, {"solutions": JSON}), 3.0))
            await asyncio.sleep(1.0)
            niceness = _nice(pool._aside.process.pid), _nice(next(iter(pool._all)).process.pid)  # type: ignore[union-attr]
            try:
                await aside
            except TimeoutError:
                pass
            refused = await pool.run(rows, 20, "a client")
            own = await pool.run_aside(rows, 20)
            return *niceness, type(refused.error).__name__, len(json.loads(own.value.body)["results"]["bindings"])  # type: ignore[union-attr]
        finally:
            await pool.close()

    aside_nice, client_nice, refused, own_rows = asyncio.run(scenario())
    assert aside_nice > client_nice
    assert refused == "ResultTooLarge"
    assert own_rows == 10
