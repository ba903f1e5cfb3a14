"""Write the full-text search index of a store: an SQLite FTS5 file beside the build, from the search/*.rq queries.

The index holds one document per incident, organisation, AI system and concept (folded text in four weighted
columns: label, alternative labels, description, identifiers), each incident's facet values, and a label for
every facet value. It is written to a temporary file and renamed, so a reader never sees half an index.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import time
from collections import defaultdict
from pathlib import Path

from kg import queries
from kg.search.text import identifiers, index_text
from kg.store import TripleStore

INDEX_FILE = "search.sqlite"
SCHEMA_VERSION = "2"
SNIPPET_CHARS = 240
"""The longest snippet shown under a hit (its description, or its alternative labels), cut at a word."""

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE doc (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, label TEXT NOT NULL,
                  identifier TEXT NOT NULL, years TEXT NOT NULL, sources TEXT NOT NULL, snippet TEXT NOT NULL);
CREATE INDEX doc_kind ON doc (kind);
CREATE VIRTUAL TABLE text USING fts5 (label, alt, body, ids, content='', prefix='2 3 4',
                                      tokenize='unicode61 remove_diacritics 2');
CREATE TABLE value (id INTEGER PRIMARY KEY, facet TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL,
                    UNIQUE (facet, value));
CREATE TABLE posting (value INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (value, doc)) WITHOUT ROWID;
CREATE INDEX posting_doc ON posting (doc, value);
"""


def _rows(store: TripleStore, name: str) -> list[dict[str, str]]:
    """The rows of ``kg/queries/search/<name>.rq`` as plain strings (CSV results: IRIs and lexical forms)."""
    data = store.query_serialized(queries.load(f"search/{name}"), "text/csv")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def _local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def snippet(fields: dict[str, list[str]]) -> str:
    """What a hit shows under its label: the start of its description, else its other names (cut at a word).

    >>> snippet({"body": ["A camera system scanned the faces of people walking past King's Cross station."]})
    "A camera system scanned the faces of people walking past King's Cross station."
    >>> len(snippet({"body": ["word " * 100]})) <= SNIPPET_CHARS + 1
    True
    """
    text = " ".join(min(fields.get("body") or [""]).split()) or "; ".join(sorted(set(fields.get("alt") or [])))
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:.") + "…"


def collect(store: TripleStore) -> tuple[dict[str, dict[str, list[str]]], dict[str, set[tuple[str, str]]], dict[str, str]]:
    """Documents (IRI -> kind and texts by field), incident facets (IRI -> {(facet, value)}), facet value labels."""
    documents: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in _rows(store, "documents"):
        fields = documents[row["thing"]]
        if not fields["kind"]:
            fields["kind"].append(row["kind"])
        fields[row["field"]].append(row["text"])
    facets: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in _rows(store, "facets"):
        facets[row["incident"]].add((row["facet"], row["value"]))
    incidents_of: dict[str, list[str]] = defaultdict(list)
    for row in _rows(store, "systems"):
        incidents_of[row["system"]].append(row["incident"])
    for row in _rows(store, "involvements"):
        for incident in incidents_of.get(row["target"], [row["target"]]):
            if incident in documents and documents[incident]["kind"] == ["incident"]:
                facets[incident].add((row["facet"], row["value"]))
    labels: dict[str, str] = {}
    for row in sorted(_rows(store, "labels"), key=lambda r: (r["kind"] != "pref", r["label"]), reverse=True):
        labels[row["thing"]] = row["label"]  # sorted so that the smallest preferred label is written last
    return documents, facets, labels


def build_index(store: TripleStore, path: Path, version: str = "") -> dict[str, float]:
    """Write the search index of ``store`` to ``path`` (replacing it whole); returns its counts and seconds."""
    started = time.perf_counter()
    documents, facets, labels = collect(store)
    read = time.perf_counter() - started
    path = Path(path)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    connection = sqlite3.connect(partial)
    used = sorted({pair for pairs in facets.values() for pair in pairs})
    value_ids = {pair: number for number, pair in enumerate(used, start=1)}
    try:
        connection.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
        for number, (iri, fields) in enumerate(sorted(documents.items()), start=1):
            kind = fields["kind"][0]
            label = min(fields["label"], default=_local_name(iri))
            notations = sorted(set(fields["id"]))
            own = facets.get(iri, set())
            years = ",".join(sorted({v for f, v in own if f == "year"}))
            sources = ",".join(sorted({v for f, v in own if f == "source"}))
            connection.execute("INSERT INTO doc VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               (number, iri, kind, label, ",".join(notations), years, sources, snippet(fields)))
            id_words = notations + ([_local_name(iri)] if kind == "incident" else [])
            id_text = " ".join(id_words + sorted({i for word in id_words for i in identifiers(word)}))
            connection.execute(
                "INSERT INTO text (rowid, label, alt, body, ids) VALUES (?, ?, ?, ?, ?)",
                (number, index_text(" ".join(sorted(set(fields["label"])))),
                 index_text(" ".join(sorted(set(fields["alt"])))),
                 index_text(" ".join(sorted(set(fields["body"])))), index_text(id_text)),
            )
            connection.executemany("INSERT INTO posting VALUES (?, ?)", ((value_ids[pair], number) for pair in own))
        connection.executemany("INSERT INTO value VALUES (?, ?, ?, ?)",
                               ((value_ids[(f, v)], f, v, labels.get(v, v)) for f, v in used))
        counts = {"documents": len(documents), "incidents": sum(1 for f in documents.values() if f["kind"] == ["incident"]),
                  "facet_values": len(used)}
        meta = {"schema": SCHEMA_VERSION, "version": version, **{k: str(v) for k, v in counts.items()}}
        connection.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
        connection.execute("INSERT INTO text (text) VALUES ('optimize')")
        connection.commit()
    finally:
        connection.close()
    os.replace(partial, path)
    return {**counts, "read_seconds": round(read, 3), "seconds": round(time.perf_counter() - started, 3)}
