"""Dump benchmark, one command: ``python tests/bench/bench_dump.py [--triples 250000 1000000] [--repeat 3]``.

For each size, a synthetic graph (``synthetic.py``) is loaded into an on-disk store the way ``kg build`` writes
one (named graph plus the merged default graph). Then, each run in a fresh process so that its peak memory is
its own, on the same store opened read-only:

- raw: pyoxigraph's own serialisation of what we publish, the limit: ``Store.dump`` of the default graph as
  N-Triples and as Turtle (with our prefixes), and of the store as N-Quads (the engine cannot leave the default
  graph out, so this writes more quads than ours);
- release: ``kg.release.write_release`` (what the server publishes at ``/dumps/``): the same three formats,
  N-Triples and N-Quads sorted and de-duplicated, all gzipped and hashed, plus ontology, shapes, catalogue and
  changelog;
- kg dump: ``kg.dump.dump`` (Turtle and N-Quads, uncompressed).

Prints seconds (median of ``--repeat``), the peak resident memory of the process (VmHWM) and of its child
processes (``sort``, whose ru_maxrss counts the parent's memory at fork, so it is an upper bound), and the
ratio to raw. Targets: release within 1.5x of raw; peak memory flat as the graph grows.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write

from kg.namespaces import PREFIXES
from kg.builds import build_into
from kg.store import CURRENT, EmbeddedStore


def raw(store_dir: Path, out: Path) -> None:
    """pyoxigraph alone: one engine call per published format."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str((store_dir / CURRENT).resolve()))
    store.dump(str(out / "raw.nt"), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    store.dump(str(out / "raw.ttl"), format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
    store.dump(str(out / "raw.nq"), format=ox.RdfFormat.N_QUADS)


def release(store_dir: Path, out: Path) -> None:
    """What the server publishes."""
    from kg.release import write_release

    write_release(EmbeddedStore.open(store_dir), out / "releases", "bench")


def kg_dump(store_dir: Path, out: Path) -> None:
    """``kg dump``."""
    from kg.dump import dump

    dump(EmbeddedStore.open(store_dir), out / "dump")


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def _measured(job: Callable[[Path, Path], None], store_dir: Path, out: Path, queue: mp.Queue) -> None:
    started = time.perf_counter()
    job(store_dir, out)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # an upper bound: see the docstring
    queue.put((seconds, peak_mb(), children))


def fresh(job: Callable[[Path, Path], None], store_dir: Path, work: Path) -> tuple[float, float, float]:
    """Run ``job`` in a new process on an empty output folder: seconds, peak MB, children's peak MB."""
    out = Path(tempfile.mkdtemp(dir=work))
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_measured, args=(job, store_dir, out, queue))
    process.start()
    figures = queue.get()
    process.join()
    shutil.rmtree(out)
    return figures


def _fill_from(quads: Path) -> Callable[[EmbeddedStore], None]:
    def fill(store: EmbeddedStore) -> None:
        store.load(quads.read_bytes(), "application/n-quads")
        store.merge_graphs_into_default()

    return fill


def _build(work: Path, triples: int) -> None:
    quads = work / "synthetic.nq"
    write(quads, triples)
    build_into(work / f"store-{triples}", _fill_from(quads))
    quads.unlink()


def synthetic_store(work: Path, triples: int) -> Path:
    """A store of about ``triples`` synthetic triples, built in another process (this one stays small)."""
    process = mp.get_context("spawn").Process(target=_build, args=(work, triples))
    process.start()
    process.join()
    return work / f"store-{triples}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, nargs="+", default=[250_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, python {platform.python_version()}")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-dump-"))
    try:
        for triples in args.triples:
            store_dir = synthetic_store(work, triples)
            count = EmbeddedStore.open(store_dir).triple_count()
            print(f"\n{triples} triples written, {count} distinct (on-disk store, read-only)")
            print(f"{'':<10} {'seconds':>8} {'x raw':>6} {'peak MB':>8} {'sort MB':>8}")
            baseline = None
            for name, job in (("raw", raw), ("release", release), ("kg dump", kg_dump)):
                runs = [fresh(job, store_dir, work) for _ in range(args.repeat)]
                seconds = statistics.median(r[0] for r in runs)
                baseline = baseline or seconds
                peak, children = max(r[1] for r in runs), max(r[2] for r in runs)
                print(f"{name:<10} {seconds:8.2f} {seconds / baseline:6.2f} {peak:8.0f} {children:8.0f}")
            shutil.rmtree(store_dir)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
