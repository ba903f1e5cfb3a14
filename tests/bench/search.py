"""Search benchmark, one command: ``python tests/bench/search.py [--store DIR] [--repeat 20]``.

On the real graph (a store built from ``data/`` into a temporary folder, or ``--store``), measures:

- index build: ``kg.search.build_index`` (reading the store with the search queries, then writing SQLite FTS5),
  and the same documents written into tantivy (from PyPI, if installed), the alternative engine considered;
- search: p50/p99 wall and CPU time of ``kg.search.search`` over a fixed set of typed searches, with and without
  facet filters (every search computes all facet counts); then text only (top 20 and the count, no facets) in
  FTS5 and in tantivy on the same words (prefix per word through regex queries);
- baseline: the same words as a plain SPARQL regex search through the engine (titles and labels), p50/p99;
- HTTP (``--http``): the typed searches through ``GET /api/search`` of a real uvicorn on the same store (cache off,
  no client budget): queue, worker, JSON and the loopback round trip included.

Targets: search p50 <= 20 ms, p99 <= 100 ms, index build <= 5 s. Prints the machine's load average beside.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rdflib import Literal

from kg.build import build
from kg.namespaces import ID
from kg.search import SearchRequest, build_index, search
from kg.search.index import collect
from kg.search.text import fold, identifiers, match_expression
from kg.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[2]
WORDS = ["Kings Cross", "Met Police", "AIAAIC099", "facial recognition", "Tesla autopilot", "deepfake", "chatbot",
         "police", "credit scoring", "Amazon", "ChatGPT", "self-driving", "welfare fraud", "Clearview", "Uber",
         "exam grading", "hiring bias", "voice clone", "Google", "Microsoft", "face", "privacy", "children",
         "misinformation", "AIID-95", "crédit", "surveillance camera", "wrongful arrest", "Meta", "OpenAI"]
GB, US = str(ID["concept/jurisdiction/gb"]), str(ID["concept/jurisdiction/us"])
FACETED = [("facial recognition", (("country", GB),)), ("", (("country", GB), ("technology", str(ID["concept/technology/facial-recognition"])))),
           ("police", (("country", US), ("country", GB))), ("", (("source", str(ID["org/aiid"])),)), ("", ())]
BASELINE = """SELECT DISTINCT ?thing ?pattern WHERE {
  ?thing dct:title|rdfs:label|skos:prefLabel|skos:altLabel ?text . FILTER (REGEX(STR(?text), ?pattern, "i")) }"""


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def ms(pair: tuple[float, float]) -> str:
    return f"p50 {pair[0] * 1000:7.2f} ms  p99 {pair[1] * 1000:7.2f} ms"


def bench_fts5(store: EmbeddedStore, folder: Path, repeat: int) -> None:
    path = folder / "search.sqlite"
    builds = [build_index(store, path, "bench") for _ in range(3)]
    print(f"FTS5 index build: median {statistics.median(b['seconds'] for b in builds):.2f} s "
          f"(reading the store {statistics.median(b['read_seconds'] for b in builds):.2f} s), "
          f"{builds[0]['documents']} documents, {path.stat().st_size / 1e6:.1f} MB")
    for label, requests in (("text", [SearchRequest(w) for w in WORDS]),
                            ("faceted", [SearchRequest(w, filters=f) for w, f in FACETED])):
        wall, cpu = [], []
        for _ in range(repeat):
            for request in requests:
                started, started_cpu = time.perf_counter(), time.process_time()
                search(path, request)
                wall.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
        print(f"FTS5 search, {label:7} ({len(wall)} searches): wall {ms(percentiles(wall))}; cpu {ms(percentiles(cpu))}")
    connection, wall = sqlite3.connect(path), []
    for _ in range(repeat):
        for text in WORDS:
            started = time.perf_counter()
            expression = match_expression(text)
            connection.execute("SELECT rowid FROM text WHERE text MATCH ? ORDER BY rank LIMIT 20", (expression,)).fetchall()
            connection.execute("SELECT COUNT(*) FROM text WHERE text MATCH ?", (expression,)).fetchone()
            wall.append(time.perf_counter() - started)
    print(f"FTS5 text only, as tantivy below ({len(wall)} searches): wall {ms(percentiles(wall))} (no facets)")


def bench_tantivy(store: EmbeddedStore, folder: Path, repeat: int) -> None:
    try:
        import tantivy
    except ImportError:
        print("tantivy: not installed (pip install tantivy) - skipped")
        return
    started = time.perf_counter()
    documents, _, _ = collect(store)
    read = time.perf_counter() - started
    fields = ("label", "alt", "body", "ids")
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("iri", stored=True, tokenizer_name="raw")
    for field in fields:
        builder.add_text_field(field)
    schema = builder.build()
    (folder / "tantivy").mkdir()
    index = tantivy.Index(schema, path=str(folder / "tantivy"))
    writer = index.writer(heap_size=100_000_000, num_threads=1)
    for iri, texts in documents.items():
        ids = texts["id"] + [i for word in texts["id"] for i in identifiers(word)]
        writer.add_document(tantivy.Document(iri=iri, label=fold(" ".join(texts["label"])), alt=fold(" ".join(texts["alt"])),
                                             body=fold(" ".join(texts["body"])), ids=fold(" ".join(ids))))
    writer.commit()
    index.reload()
    print(f"tantivy index build: {time.perf_counter() - started:.2f} s (reading the store {read:.2f} s)")
    searcher = index.searcher()

    def query(text: str) -> object:
        words = [tantivy.Query.boolean_query([(tantivy.Occur.Should, tantivy.Query.regex_query(schema, f, re.escape(w) + ".*"))
                                              for f in fields]) for w in fold(text).split()]
        return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in words])

    wall = []
    for _ in range(repeat):
        for text in WORDS:
            started = time.perf_counter()
            searcher.search(query(text), 20, count=True)
            wall.append(time.perf_counter() - started)
    print(f"tantivy search, text ({len(wall)} searches): wall {ms(percentiles(wall))} (no facets)")


def bench_baseline(store: EmbeddedStore, repeat: int) -> None:
    wall = []
    for _ in range(max(1, repeat // 10)):
        for text in WORDS[:10]:
            started = time.perf_counter()
            store.query(BASELINE, {"pattern": Literal(re.escape(text))})
            wall.append(time.perf_counter() - started)
    print(f"baseline SPARQL regex search ({len(wall)} searches): wall {ms(percentiles(wall))}")


def bench_http(store_path: Path, folder: Path, repeat: int) -> None:
    sys.path.insert(0, str(REPO / "tests"))
    import httpx
    from live_server import start_server, stop_server

    process, server = start_server(store_path, folder / "server.log", cache_bytes="0", client_budget="0")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            wall = []
            for _ in range(repeat):
                for text in WORDS:
                    started = time.perf_counter()
                    assert client.get("/api/search", params={"q": text}).status_code == 200
                    wall.append(time.perf_counter() - started)
        print(f"HTTP GET /api/search ({len(wall)} searches, cache off): wall {ms(percentiles(wall))}")
    finally:
        stop_server(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, help="a store folder written by kg build (default: build one)")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--http", action="store_true", help="also search through /api/search of a live server")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        store_path = args.store or folder / "store"
        if args.store is None:
            started = time.perf_counter()
            build(REPO / "data", store_path)
            print(f"kg build (store and index): {time.perf_counter() - started:.1f} s")
        store = EmbeddedStore.open(store_path)
        bench_fts5(store, folder, args.repeat)
        bench_tantivy(store, folder, args.repeat)
        bench_baseline(store, args.repeat)
        if args.http:
            bench_http(store_path, folder, args.repeat)
    print(f"load average after: {os.getloadavg()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
