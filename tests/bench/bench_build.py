"""Build benchmark, one command: ``python tests/bench/bench_build.py [--repeat 3] [--copies 1 2 3] [--pyshacl]``.

1. The full ``kg build`` of every source (parse, import, validate, write the store): seconds per phase and
   peak memory (median of ``--repeat`` runs, each in a fresh process).
2. How validation and loading grow toward and past a million triples: the imported graph copied ``k`` times
   under renamed IRIs (``id/<kind>/c<k>-<key>``), validated with the SPARQL checks (and pyshacl with
   ``--pyshacl``, which takes minutes), then bulk-loaded into a fresh on-disk store; seconds and peak memory.

Prints the machine's figures first (cores, CPU, memory, load), since every number depends on them.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import re
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
_MINTED = re.compile(rb"(<https://w3id\.org/ai-incidents/id/[a-z-]+/)")


def machine() -> str:
    """Cores, CPU model, memory and load: the figures every measurement depends on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    import pyoxigraph
    import pyshacl
    import rdflib

    return (
        f"machine: {os.cpu_count()} cores, {cpu}, {int(memory) / 1024 / 1024:.1f} GiB, load {os.getloadavg()[0]:.2f}"
        f"\npython {platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, rdflib {rdflib.__version__},"
        f" pyshacl {pyshacl.__version__}"
    )


def _in_child(job: Callable[..., dict[str, float]], args: tuple, queue: mp.Queue) -> None:
    figures = job(*args)
    figures["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(figures)


def fresh(job: Callable[..., dict[str, float]], *args: object) -> dict[str, float]:
    """Run ``job`` in a new process, so that peak memory is its own."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_in_child, args=(job, args, queue))
    process.start()
    figures = queue.get()
    process.join()
    return figures


def full_build() -> dict[str, float]:
    from kg.build import build

    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = build(DATA, Path(folder) / "store")
        figures = {f"{phase} s": seconds for phase, seconds in result.seconds.items()}
        figures["total s"] = time.perf_counter() - start
        figures["triples"] = result.triples
        figures["quads"] = result.quads
    return figures


def imported_nquads() -> bytes:
    """The assembled N-Quads of a build: ontology, curated files, every import, and their merge."""
    from kg.build import assemble, collect
    from kg.ingest import ingest
    from kg.loading import load_files

    dataset = load_files(collect(DATA))
    return assemble(dataset, ingest(DATA, dataset))


def copies(nquads: bytes, count: int) -> bytes:
    """``count`` copies of the minted part of the graph, each under its own IRIs (the ontology once)."""
    lines = nquads.splitlines(keepends=True)
    fixed = [line for line in lines if not _MINTED.search(line)]
    minted = b"".join(line for line in lines if _MINTED.search(line))
    return b"".join(fixed) + b"".join(_MINTED.sub(rb"\1c%d-" % k, minted) for k in range(count))


def grow(count: int, with_pyshacl: bool) -> dict[str, float]:
    from rdflib import Dataset

    from kg.sparql_shapes import validate_nquads
    from kg.builds import build_into
    from kg.store import EmbeddedStore
    from kg.validation import validate_dataset

    data = copies(imported_nquads(), count)
    figures: dict[str, float] = {}
    start = time.perf_counter()
    report = validate_nquads(data, merged=True)
    figures["sparql validate s"] = time.perf_counter() - start
    figures["violations"] = len(report.results)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        build_into(Path(folder), lambda store: store.bulk_load(data, "application/n-quads"))
        figures["store load s"] = time.perf_counter() - start
        figures["triples"] = EmbeddedStore.open(Path(folder)).triple_count()
    if with_pyshacl:
        dataset = Dataset()
        dataset.parse(data=data, format="nquads")
        named = Dataset()
        named.addN(q for q in dataset.quads((None, None, None, None)) if q[3] != dataset.default_context.identifier)
        del dataset
        start = time.perf_counter()
        validate_dataset(named)
        figures["pyshacl validate s"] = time.perf_counter() - start
    return figures


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    keys = list(dict.fromkeys(key for _, figures in rows for key in figures))
    out = ["run".ljust(14) + "".join(key.rjust(20) for key in keys)]
    for name, figures in rows:
        out.append(
            name.ljust(14)
            + "".join(
                (f"{figures[key]:.2f}" if isinstance(figures.get(key), float) else str(figures.get(key, ""))).rjust(20)
                for key in keys
            )
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="full builds to take the median of")
    parser.add_argument("--copies", type=int, nargs="*", default=[1, 2, 3], help="sizes of the synthetic graph")
    parser.add_argument("--pyshacl", action="store_true", help="also validate each synthetic size with pyshacl (slow)")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    print(machine(), flush=True)
    builds = [fresh(full_build) for _ in range(args.repeat)]
    if builds:
        median = {key: statistics.median(run[key] for run in builds) for key in builds[0]}
        rows = [(f"build #{i + 1}", run) for i, run in enumerate(builds)] + [("build median", median)]
        print("\nFull build of all sources (each in a fresh process):\n" + table(rows), flush=True)
    grown = [(f"{k} cop{'y' if k == 1 else 'ies'}", fresh(grow, k, args.pyshacl)) for k in args.copies]
    print("\nValidation and store load as the graph grows:\n" + table(grown), flush=True)


if __name__ == "__main__":
    main()
