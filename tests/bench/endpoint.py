"""Endpoint benchmark on the real graph, one command: ``python tests/bench/endpoint.py [--seconds 10] [--rounds 2]``.

At 16 connections (wrk), five workloads: one incident's triples (the same query again and again), 1,500 different
incidents (each a lookup), COUNT per ethical issue, incidents per year, a title word search. Four endpoints, each in
its own process, on the same build in the same run, all running at once and measured in turn per workload (best of
``--rounds``): ours as ``kg serve`` runs it (store on disk) with its answer cache, ours without it (each query run by
a worker), Oxigraph's own server (``oxigraph serve-read-only`` from PyPI: the same engine behind Rust HTTP) and
Virtuoso (a throw-away one loaded with the same graphs, queried at its own /sparql; left out when not installed).
Prints req/s and p50/p99 latency, the ratios against Oxigraph's server with the targets, and the machine's load
(other programs on the machine slow every endpoint alike, but not evenly: read the load beside the figures).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import JSON_RESULTS, Measure, wrk
from targets import ours, oxigraph_server, virtuoso

from kg.build import build
from kg.store import EmbeddedStore, Solutions

REPO = Path(__file__).resolve().parents[2]
PREFIXES = ("PREFIX kg: <https://w3id.org/ai-incidents/def/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
            "PREFIX dct: <http://purl.org/dc/terms/>\n")
INCIDENT = "https://w3id.org/ai-incidents/id/incident/AIAAIC0288"
PER_ISSUE = PREFIXES + ("SELECT ?issue (COUNT(DISTINCT ?incident) AS ?incidents) WHERE { ?incident a kg:Incident ; "
                        "kg:ethicalIssue ?issue } GROUP BY ?issue ORDER BY DESC(?incidents) ?issue")
PER_YEAR = PREFIXES + ("SELECT ?year (COUNT(DISTINCT ?incident) AS ?incidents) WHERE { ?incident a kg:Incident . "
                       "{ ?incident kg:occurred ?when } UNION { ?incident kg:occurredFrom ?when } "
                       "BIND (SUBSTR(STR(?when), 1, 4) AS ?year) } GROUP BY ?year ORDER BY ?year")
TITLE_WORD = PREFIXES + ("SELECT ?incident ?title WHERE { ?incident a kg:Incident ; dct:title ?title "
                         'FILTER(CONTAINS(LCASE(STR(?title)), "facial")) } ORDER BY ?incident')
LOOKUPS = ("one incident", "1,500 incidents")


def lookup(iri: str) -> str:
    return f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"


def workloads(store_dir: Path) -> dict[str, list[str]]:
    """The five workloads; the incidents are the first 1,500 of the graph (by IRI)."""
    store = EmbeddedStore.open(store_dir)
    found = store.query(PREFIXES + "SELECT ?i WHERE { ?i a kg:Incident } ORDER BY ?i LIMIT 1500")
    assert isinstance(found, Solutions) and len(found.rows) == 1500, "the real graph has 1,500 incidents or more"
    for query in (PER_ISSUE, PER_YEAR, TITLE_WORD):
        answer = store.query(query)
        assert isinstance(answer, Solutions) and answer.rows, query
    return {"one incident": [lookup(INCIDENT)], "1,500 incidents": [lookup(str(r["i"])) for r in found.rows],
            "per ethical issue": [PER_ISSUE], "per year": [PER_YEAR], "title word": [TITLE_WORD]}


def export(store_dir: Path, work: Path) -> tuple[Path, Path]:
    """The same data for Oxigraph's server: the merged default graph (N-Triples) and the named graphs (N-Quads)."""
    store = EmbeddedStore.open(store_dir)
    default, named = work / "default.nt", work / "named.nq"
    with default.open("wb") as out:
        store.dump(out, "application/n-triples")
    with named.open("wb") as out:
        store.dump(out, "application/n-quads")
    return default, named


@contextmanager
def _virtuoso(store_dir: Path, folder: Path) -> Iterator[tuple[str, str]]:
    with virtuoso(store_dir, folder) as (base, path, _):
        yield base, path


def run(seconds: int, rounds: int = 2) -> dict[str, dict[str, Measure]]:
    """Start every endpoint at once, then measure each workload on each endpoint in turn, ``rounds`` times, keeping
    each endpoint's best round: the endpoints of one workload are measured minutes apart at most, under the same load."""
    work = Path(tempfile.mkdtemp(prefix="kg-bench-endpoint-"))
    try:
        store_dir = work / "store"
        build(REPO / "data", store_dir)
        queries = workloads(store_dir)
        default, named = export(store_dir, work)
        targets: list[tuple[str, Callable[[], AbstractContextManager[tuple[str, str]]]]] = [
            ("ours cached", lambda: ours(store_dir, work / "ours-cache.log", False, True)),
            ("ours uncached", lambda: ours(store_dir, work / "ours.log", False, False)),
            ("Oxigraph server", lambda: oxigraph_server(default, named, work)),
        ]
        if shutil.which("virtuoso-t"):
            targets.append(("Virtuoso", lambda: _virtuoso(store_dir, work / "virtuoso")))
        results: dict[str, dict[str, Measure]] = {label: {} for label, _ in targets}
        with ExitStack() as running:
            endpoints = {}
            for label, start in targets:
                print(f"  starting {label} … (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
                endpoints[label] = running.enter_context(start())
            for name, texts in queries.items():
                for base, path in endpoints.values():  # each query answered once, then a short warm-up
                    _answered(base + path, texts[0])
                    wrk(base, path, texts, 1)
                for _ in range(rounds):
                    for label, (base, path) in endpoints.items():
                        measure = wrk(base, path, texts, seconds)
                        best = results[label].get(name)
                        if best is None or measure.rps > best.rps:
                            results[label][name] = measure
                print(f"  {name} measured (load {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _answered(url: str, query: str, timeout: float = 300) -> None:
    """Wait until ``url`` answers ``query`` (a server may answer ASK {} while its query workers still load)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": query}, headers={"Accept": JSON_RESULTS}, timeout=60).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not answer {query[:80]!r} within {timeout:.0f} s")


def _ratio(ours: Measure, peer: Measure) -> float:
    return ours.rps / peer.rps if peer.rps else float("nan")


def report(results: dict[str, dict[str, Measure]]) -> None:
    labels = list(results)
    names = list(next(iter(results.values())))
    print("\n| req/s (p50 ms) | " + " | ".join(labels) + " | cached/Ox | uncached/Ox |")
    print("|---" * (len(labels) + 3) + "|")
    peer = results["Oxigraph server"]
    for name in names:
        cells = [f"{results[label][name].rps:,.0f} ({results[label][name].p50_ms:.1f})" for label in labels]
        ratios = [f"{_ratio(results[label][name], peer[name]):.2f}" for label in ("ours cached", "ours uncached")]
        print(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    errors = {f"{label}/{name}": m.errors for label, ms in results.items() for name, m in ms.items() if m.errors}
    print(f"\nfailed requests: {errors or 'none'}")
    met = []
    for name in names:
        cached = _ratio(results["ours cached"][name], peer[name])
        uncached = _ratio(results["ours uncached"][name], peer[name])
        want = 0.5 if name in LOOKUPS else 0.9
        met.append(f"{name}: cached {cached:.2f} (>= 1.0 {'met' if cached >= 1.0 else 'NOT met'}), "
                   f"uncached {uncached:.2f} (>= {want} {'met' if uncached >= want else 'NOT met'})")
    print("targets against Oxigraph's server, same run:\n- " + "\n- ".join(met))
    if "Virtuoso" not in results:
        print("- Virtuoso: not installed, not measured")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    parser.add_argument("--rounds", type=int, default=2, help="measurements per endpoint and workload (the best is kept)")
    args = parser.parse_args()
    print(f"# Endpoint benchmark, real graph: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"16 connections, best of {args.rounds} runs of {args.seconds} s; load average before: {os.getloadavg()}")
    results = run(args.seconds, args.rounds)
    report(results)
    print(f"\n(load average after: {os.getloadavg()})")


if __name__ == "__main__":
    main()
