"""Load benchmark of a realistic query mix, one command: ``python tests/bench/load_mix.py [--seconds 5]``.

The mix is modelled on how the graph is used: lookups of incidents (a few popular, a long tail), listings of
incidents by organisation and by ethical issue, the shipped aggregate examples, DESCRIBE of incidents, and a few
expensive queries (a full scan, a text search). At rising concurrency (1, 4, 16, 64 connections, wrk) it prints
throughput, p50/p99 latency and errors (4xx/5xx) for our server on the embedded store, our server on Virtuoso
(``kg serve --store-url``) and Virtuoso queried directly; then the 1 -> 2 HTTP worker scaling of our server
(``kg serve --workers 1`` vs ``2``) on the mix's lookups with the cache off, and on the mix with the cache on.
Each server is first warmed up with its queries (a server that has been up a while: its cache holds the popular
answers; each HTTP process has its own cache, so the scaling runs warm up three times as long). Figures are from one run on one
machine, with its load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Measure, wrk
from targets import ours, virtuoso

from kg.build import build
from kg.queries import examples
from kg.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
PREFIXES = "PREFIX kg: <https://w3id.org/ai-incidents/def/>\nPREFIX dct: <http://purl.org/dc/terms/>\n"
ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
EXPENSIVE = [
    "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }",
    PREFIXES + 'SELECT ?incident ?title WHERE { ?incident a kg:Incident ; dct:title ?title '
    'FILTER(CONTAINS(LCASE(STR(?title)), "facial")) } LIMIT 200',
]


def _column(store: EmbeddedStore, sparql: str) -> list[str]:
    rows = store.query(PREFIXES + sparql).rows
    return [str(next(iter(row.values()))) for row in rows]


def query_mix(store: EmbeddedStore, size: int = 2000, seed: int = 5) -> tuple[list[str], dict[str, str]]:
    """``size`` requests drawn from the kinds of query above (lookups and listings with a Zipf-like popularity),
    and the kind of each distinct query."""
    incidents = _column(store, "SELECT ?s WHERE { ?s a kg:Incident } ORDER BY ?s LIMIT 2000")
    organisations = _column(store, "SELECT ?o (COUNT(*) AS ?n) WHERE { ?i kg:agent ?o } GROUP BY ?o ORDER BY DESC(?n) LIMIT 300")
    issues = _column(store, "SELECT DISTINCT ?c WHERE { ?i kg:ethicalIssue ?c } ORDER BY ?c")
    kinds: dict[str, list[str]] = {
        "lookup": [f"SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}" for iri in incidents],
        "by organisation": [
            PREFIXES + f"SELECT DISTINCT ?incident WHERE {{ ?i kg:agent <{org}> ; kg:involvedIn ?s . "
            "{ ?incident kg:involvesSystem ?s } UNION { BIND(?s AS ?incident) ?incident a kg:Incident } } LIMIT 500"
            for org in organisations
        ],
        "by issue": [PREFIXES + f"SELECT ?incident WHERE {{ ?incident kg:ethicalIssue <{c}> }} LIMIT 500" for c in issues],
        "describe": [f"DESCRIBE <{iri}>" for iri in incidents],
        "aggregate": [e.text for name, e in sorted(examples().items()) if not e.params and not e.service and "SERVICE" not in e.text],
        "expensive": EXPENSIVE,
    }
    shares = {"lookup": 0.45, "by organisation": 0.15, "by issue": 0.1, "describe": 0.15, "aggregate": 0.12, "expensive": 0.03}
    rng = random.Random(seed)
    mix: list[str] = []
    kind_of: dict[str, str] = {}
    for kind, share in shares.items():
        pool = kinds[kind]
        weights = [1 / (rank + 1) for rank in range(len(pool))]
        drawn = rng.choices(pool, weights, k=round(size * share))
        mix += drawn
        kind_of.update((query, kind) for query in drawn)
    rng.shuffle(mix)
    return mix, kind_of


def refusals(base: str, path: str, kind_of: dict[str, str]) -> str:
    """Send each distinct query once (warming the cache too): which kinds of query fail, with which status."""
    failed: Counter[tuple[str, int]] = Counter()
    with httpx.Client(timeout=60, headers={"Accept": ACCEPT}) as client:
        for query, kind in kind_of.items():
            status = client.get(base + path, params={"query": query}).status_code
            if status != 200:
                failed[kind, status] += 1
    return ", ".join(f"{kind}: {n} x {status}" for (kind, status), n in sorted(failed.items())) or "none"


def table(title: str, rows: list[tuple[str, int, Measure]]) -> None:
    print(f"\n## {title}\n\n| backend | connections | req/s | p50 ms | p99 ms | 4xx | 5xx | failed connections |")
    print("|---|---|---|---|---|---|---|---|")
    for label, connections, m in rows:
        failed = m.errors - m.client_errors - m.server_errors
        print(f"| {label} | {connections} | {m.rps:,.1f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} | {m.client_errors} | "
              f"{m.server_errors} | {failed} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of each measurement")
    parser.add_argument("--concurrency", default="1,4,16,64", help="connection counts, comma-separated")
    parser.add_argument("--store", type=Path, help="an existing embedded store to use instead of building one")
    args = parser.parse_args()
    levels = [int(n) for n in args.concurrency.split(",")]
    print(f"# Load benchmark, query mix: {platform.machine()}, {os.cpu_count()} cores, {args.seconds} s per run; "
          f"load average before: {os.getloadavg()[0]:.2f}")
    work = Path(tempfile.mkdtemp(prefix="kg-load-mix-"))
    try:
        store_dir = args.store or work / "store"
        if args.store is None:
            print("  building the store …", file=sys.stderr, flush=True)
            build(REPO / "data", store_dir)
        mix, kind_of = query_mix(EmbeddedStore.open(store_dir))
        rows: list[tuple[str, int, Measure]] = []
        failures: list[str] = []

        def measure(label: str, base: str, path: str) -> None:
            print(f"  {label}: warming up …", file=sys.stderr, flush=True)
            failures.append(f"- {label}, distinct queries that failed: {refusals(base, path, kind_of)}")
            wrk(base, path, mix, args.seconds, 16, ACCEPT)  # a server that has been up a while: its cache holds the popular answers
            for connections in levels:
                print(f"  {label} at {connections} …", file=sys.stderr, flush=True)
                rows.append((label, connections, wrk(base, path, mix, args.seconds, connections, ACCEPT)))

        with ours(store_dir, work / "ours.log", in_memory=False, cache=True) as (base, path):
            measure("ours, embedded store (cache on)", base, path)
        if shutil.which("virtuoso-t"):
            with virtuoso(store_dir, work / "virtuoso") as (vbase, vpath, remote):
                with ours(store_dir, work / "ours-remote.log", in_memory=False, cache=True, remote=remote) as (base, path):
                    measure("ours, Virtuoso store (cache on)", base, path)
                measure("Virtuoso directly", vbase, vpath)
        else:
            print("\n(Virtuoso not installed: the remote backend was not measured)")
        table("The mix at rising concurrency", rows)
        print("\n" + "\n".join(failures))

        lookups = sorted({q for q in mix if q.startswith("SELECT ?p ?o")})
        scaling: list[tuple[str, int, Measure]] = []
        for name, queries, cache in (("lookups, cache off", lookups, False), ("the mix, cache on", mix, True)):
            for workers in (1, 2):
                label = f"ours, embedded, --workers {workers}: {name}"
                print(f"  {label} …", file=sys.stderr, flush=True)
                with ours(store_dir, work / f"ours-{workers}.log", False, cache, workers=workers) as (base, path):
                    wrk(base, path, queries, 3 * args.seconds, 16, ACCEPT)  # warm-up: each process fills its own cache
                    scaling.append((label, 16, wrk(base, path, queries, args.seconds, 16, ACCEPT)))
        table("HTTP workers (kg serve --workers N), 16 connections", scaling)
        print()
        for n, name in ((0, "lookups, cache off"), (2, "the mix, cache on")):
            one, two = scaling[n][2], scaling[n + 1][2]
            print(f"- 1 -> 2 workers, {name}: {two.rps / one.rps:.2f}x requests/s" if one.rps else "- no requests")
        print(f"\n(load average after: {os.getloadavg()[0]:.2f})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
