"""Endpoint benchmark, one command: ``python tests/bench/endpoint.py [--triples 1000000] [--seconds 10]``.

On the real graph and a synthetic one, at concurrency 16, for a lookup and a GROUP BY query (and a mix with
repeats): requests per second and p50/p99 latency of (a) the raw engine in-process, (b) rdflib-endpoint,
(c) the oxigraph server, (d) Virtuoso if installed (a throw-away one, loaded with the same graphs, queried at its
own /sparql), and ours (in-memory and on-disk workers, cache off; the mix with the cache on). Prints every figure
and the ratios, all from the same run on the same machine, and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import Measure, in_process, wrk
from synthetic import incident_iri, write
from targets import ours, oxigraph_server, rdflib_endpoint, virtuoso

from kg.build import build
from kg.builds import build_into
from kg.store import EmbeddedStore, Solutions

REPO = Path(__file__).resolve().parents[2]
PREFIXES = "PREFIX kg: <https://w3id.org/ai-incidents/def/>\n"
GROUP_BY = PREFIXES + "SELECT ?issue (COUNT(DISTINCT ?incident) AS ?incidents) WHERE { ?incident kg:ethicalIssue ?issue } GROUP BY ?issue"


def lookups(subjects: list[str]) -> list[str]:
    return [f"SELECT ?p ?o WHERE {{ <{s}> ?p ?o }}" for s in subjects]


def mix(lookup: list[str], rng: random.Random) -> list[str]:
    """A realistic mix: a few popular queries asked again and again, and a tail of one-off lookups."""
    popular = lookup[:20] + [GROUP_BY]
    return [rng.choice(popular) for _ in range(900)] + lookup[:100]


def prepare(kind: str, work: Path, triples: int) -> tuple[Path, list[str]]:
    """Build our store for ``kind`` and return it with the subjects to look up."""
    store_dir = work / "store"
    if kind == "real":
        build(REPO / "data", store_dir)
        store = EmbeddedStore.open(store_dir)
        found = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s)) } LIMIT 200")
        assert isinstance(found, Solutions)
        return store_dir, [str(r["s"]) for r in found.rows]
    quads = work / "synthetic.nq"
    incidents = write(quads, triples)

    def fill(store: EmbeddedStore) -> None:
        store.load(quads.read_bytes(), "application/n-quads")
        store.merge_graphs_into_default()

    build_into(store_dir, fill)
    return store_dir, [incident_iri(random.Random(n).randrange(incidents)) for n in range(200)]


def export(store_dir: Path, work: Path) -> tuple[Path, Path]:
    """The same data for the peers: the merged default graph (N-Triples) and the named graphs (N-Quads)."""
    store = EmbeddedStore.open(store_dir)
    default, named = work / "default.nt", work / "named.nq"
    with default.open("wb") as out:
        store.dump(out, "application/n-triples")
    with named.open("wb") as out:
        store.dump(out, "application/n-quads")
    return default, named


def raw_engine(store_dir: Path, workload: dict[str, list[str]], seconds: int) -> dict[str, Measure]:
    """The limit: pyoxigraph in memory, called from threads in this process (its copy is freed on return)."""
    raw = EmbeddedStore.open(store_dir, in_memory=True)
    return {name: in_process(lambda q: raw.query_serialized(q, "application/sparql-results+json"), qs, seconds)
            for name, qs in workload.items() if name != "mix"}


@contextmanager
def virtuoso_direct(store_dir: Path, folder: Path) -> Iterator[tuple[str, str]]:
    """Virtuoso loaded with the same graphs, queried at its own /sparql (its default graph: every graph it holds)."""
    with virtuoso(store_dir, folder) as (base, path, _):
        yield base, path


def run_dataset(kind: str, triples: int, seconds: int, skip_rdflib: bool) -> dict[str, dict[str, Measure]]:
    work = Path(tempfile.mkdtemp(prefix=f"kg-bench-{kind}-"))
    try:
        store_dir, subjects = prepare(kind, work, triples)
        default, named = export(store_dir, work)
        lookup = lookups(subjects)
        workload = {"lookup": lookup, "group-by": [GROUP_BY], "mix": mix(lookup, random.Random(3))}
        results: dict[str, dict[str, Measure]] = {}
        results["raw engine (in-process, memory)"] = raw_engine(store_dir, workload, seconds)
        targets = [
            ("ours (memory, no cache)", lambda: ours(store_dir, work / "ours.log", True, False), ("lookup", "group-by")),
            ("ours (disk, no cache)", lambda: ours(store_dir, work / "ours-disk.log", False, False), ("lookup", "group-by")),
            ("ours (memory, cache)", lambda: ours(store_dir, work / "ours-cache.log", True, True), ("mix",)),
            ("oxigraph server", lambda: oxigraph_server(default, named, work), ("lookup", "group-by", "mix")),
        ]
        if not skip_rdflib:
            targets.append(("rdflib-endpoint", lambda: rdflib_endpoint(default), ("lookup", "group-by", "mix")))
        if shutil.which("virtuoso-t"):
            targets.append(("Virtuoso", lambda: virtuoso_direct(store_dir, work / "virtuoso"), ("lookup", "group-by", "mix")))
        for label, start, names in targets:
            print(f"  {kind}: {label} …", file=sys.stderr, flush=True)
            with start() as (base, path):
                results[label] = {name: wrk(base, path, workload[name], seconds) for name in names}
        return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


PEERS = ("Virtuoso", "oxigraph server", "rdflib-endpoint")


def ratio(ours: Measure, peer: Measure) -> str:
    """How many times the peer's rate ours is (a peer that completed nothing gives no ratio)."""
    return f"{ours.rps / peer.rps:.2f}" if peer.rps else "n/a (peer completed no request)"


def report(kind: str, results: dict[str, dict[str, Measure]]) -> None:
    print(f"\n## {kind}\n\n| endpoint | query | req/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|")
    for label, measures in results.items():
        for name, m in measures.items():
            print(f"| {label} | {name} | {m.rps:,.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} | {m.errors} |")
    raw = results["raw engine (in-process, memory)"]
    print()
    for ours_label in ("ours (memory, no cache)", "ours (disk, no cache)"):
        for name in ("lookup", "group-by"):
            line = [f"{name}, {ours_label}: ours/raw {ratio(results[ours_label][name], raw[name])}"]
            for peer in ("Virtuoso", "oxigraph server", "rdflib-endpoint"):
                if peer in results:
                    line.append(f"ours/{peer} {ratio(results[ours_label][name], results[peer][name])}")
            print("- " + "; ".join(line))
    cached = results["ours (memory, cache)"]["mix"]
    peers = [f"ours/{p} {ratio(cached, results[p]['mix'])}" for p in PEERS if p in results]
    print("- mix with repeats (our cache on): " + "; ".join(peers))
    print("- targets: lookup ours (memory)/Virtuoso >= 1; group-by ours (memory)/raw >= 0.9; mix ours/each peer >= 10")
    if "Virtuoso" not in results:
        print("- Virtuoso: not installed, not measured")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the synthetic graph")
    parser.add_argument("--seconds", type=int, default=10, help="length of each measurement")
    parser.add_argument("--skip-rdflib", action="store_true", help="leave out rdflib-endpoint (slow to load)")
    args = parser.parse_args()
    print(f"# Endpoint benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, concurrency 16, "
          f"{args.seconds} s per run; load average before: {os.getloadavg()[0]:.2f}")
    for kind in ("real", "synthetic"):
        report(f"{kind} graph" + (f" ({args.triples:,} triples)" if kind == "synthetic" else ""),
               run_dataset(kind, args.triples, args.seconds, args.skip_rdflib))
        print(f"\n(load average after: {os.getloadavg()[0]:.2f})")


if __name__ == "__main__":
    main()
