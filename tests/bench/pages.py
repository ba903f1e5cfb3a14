"""Page benchmark, one command: ``python tests/bench/pages.py [--store DIR] [--requests 60]``.

On the real graph (built into a temporary folder, or ``--store``), with our server's cache off so every request
runs its job, it times each kind of page as a person or a crawler asks for it: an incident's document (HTML,
Turtle), the heaviest organisation's (``/doc/org/aiaaic``, HTML and Turtle), a hub agent's (``/doc/org/openai``),
the 303 of ``/id/…``, a 404 with its suggestions (HTML), the vocabulary, a term, VoID and the release listing;
against the baseline of a raw ``/sparql`` lookup of one incident's statements in the same run. Prints p50/p99 in
ms and each page's p50 as a ratio of the lookup's; target: every page's p50 <= 50 ms, and none over the query
time limit.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from targets import ours

from kg.build import build
from kg.store import EmbeddedStore, Solutions

REPO = Path(__file__).resolve().parents[2]
HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}


def incidents(store_dir: Path, count: int) -> list[str]:
    found = EmbeddedStore.open(store_dir).query(
        f"SELECT ?i WHERE {{ ?i a kg:Incident }} ORDER BY ?i LIMIT {count}")
    assert isinstance(found, Solutions)
    return [str(row["i"]).rsplit("/id/", 1)[1] for row in found.rows]


def timed(client: httpx.Client, path: str, headers: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    return (time.perf_counter() - started) * 1000, response.status_code


def measure(client: httpx.Client, name: str, paths: list[str], headers: dict[str, str], requests: int) -> tuple[str, list[float], set[int]]:
    latencies, statuses = [], set()
    for n in range(requests):
        ms, status = timed(client, paths[n % len(paths)], headers)
        latencies.append(ms)
        statuses.add(status)
    return name, sorted(latencies), statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store already built from data/ (else one is built)")
    parser.add_argument("--requests", type=int, default=60, help="requests per kind of page")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-pages-"))
    try:
        store_dir = args.store or work / "store"
        if args.store is None:
            build(REPO / "data", store_dir)
        keys = incidents(store_dir, args.requests)
        lookups = ["/sparql?query=" + httpx.QueryParams({"q": f"SELECT ?p ?o WHERE {{ <https://w3id.org/ai-incidents/id/{k}> ?p ?o }}"})["q"] for k in keys]
        kinds = [
            ("baseline: /sparql lookup", lookups, {"Accept": "application/sparql-results+json"}),
            ("incident document (HTML)", [f"/doc/{k}" for k in keys], HTML),
            ("incident document (Turtle)", [f"/doc/{k}" for k in keys], TURTLE),
            ("/id/… 303", [f"/id/{k}" for k in keys], HTML),
            ("404 with suggestions (HTML)", [f"/doc/{k}x" for k in keys], HTML),
            ("/doc/org/aiaaic (HTML)", ["/doc/org/aiaaic"], HTML),
            ("/doc/org/aiaaic (Turtle)", ["/doc/org/aiaaic"], TURTLE),
            ("/doc/org/openai (HTML)", ["/doc/org/openai"], HTML),
            ("/def (HTML)", ["/def"], HTML),
            ("/def/Incident (HTML)", ["/def/Incident"], HTML),
            ("/.well-known/void (Turtle)", ["/.well-known/void"], TURTLE),
            ("/dumps/ (HTML)", ["/dumps/"], HTML),
        ]
        print(f"# Page benchmark: {os.cpu_count()} cores, cache off, {args.requests} sequential requests per kind; "
              f"load average before: {os.getloadavg()[0]:.2f}\n")
        with ours(store_dir, work / "ours.log", in_memory=False, cache=False) as (base, _), \
                httpx.Client(base_url=base, timeout=60, follow_redirects=False) as client:
            for path, headers in ((kinds[1][1][0], HTML), ("/dumps/", HTML)):
                client.get(path, headers=headers)  # each worker's first page reads the vocabulary's labels
            rows = [measure(client, name, paths, headers, args.requests) for name, paths, headers in kinds]
        baseline = statistics.median(rows[0][1])
        print("| request | p50 ms | p99 ms | max ms | p50 / lookup p50 | statuses |\n|---|---|---|---|---|---|")
        for name, latencies, statuses in rows:
            p50, p99 = statistics.median(latencies), latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
            print(f"| {name} | {p50:.1f} | {p99:.1f} | {latencies[-1]:.1f} | {p50 / baseline:.2f} | {sorted(statuses)} |")
        worst = max(statistics.median(latencies) for name, latencies, _ in rows[1:])
        print(f"\n- worst page p50: {worst:.1f} ms (target <= 50 ms); load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
