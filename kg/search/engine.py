"""Run a search against an index file: ranked hits, totals by kind, facet counts; bounded by a deadline and caps.

:func:`search` is a pure function of the index file and a :class:`SearchRequest` (both picklable), so a worker
process can run it. SQLite's progress handler stops a search that runs past its deadline (SearchTimeout).
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from kg.errors import NotFound, SearchTimeout
from kg.search.model import FACETS, KINDS, MAX_FACET_VALUES, FacetValue, Hit, SearchRequest, SearchResult
from kg.search.text import match_expression

_WEIGHTS = "10.0, 6.0, 1.0, 12.0"  # bm25 weights of the columns label, alt, body, ids
_PROGRESS_STEPS = 2000
_KIND_WEIGHT = "CASE doc.kind WHEN 'system' THEN 0.6 ELSE 1.0 END"
"""An AI system's document (named after it, in one incident) ranks below its incident's for the same words."""
_SCAN_FROM = 300  # hits from which facet counting scans the postings rather than looking each hit up


_open = threading.local()  # this thread's read-only connections, by index file (and its identity on disk)


def _connect(path: Path) -> sqlite3.Connection:
    """A read-only connection to the index, kept open per thread while the file stays the same."""
    try:
        stat = os.stat(path)
    except OSError:
        raise NotFound(f"no search index at {path}: run 'kg build' first") from None
    key = (str(path), stat.st_ino, stat.st_mtime_ns)
    cache: dict[tuple[str, int, int], sqlite3.Connection] = _open.__dict__.setdefault("connections", {})
    if key not in cache:
        for stale in [k for k in cache if k[0] == key[0]]:
            cache.pop(stale).close()
        connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        connection.execute("PRAGMA temp_store = MEMORY")
        cache[key] = connection
    return cache[key]


def _value_ids(connection: sqlite3.Connection, request: SearchRequest) -> dict[str, list[int]]:
    """The index's ids of the filter values, by facet (a value the index does not know matches nothing)."""
    by_facet: dict[str, list[int]] = {}
    for facet, value in request.filters:
        row = connection.execute("SELECT id FROM value WHERE facet = ? AND value = ?", (facet, value)).fetchone()
        by_facet.setdefault(facet, []).append(row[0] if row else 0)
    return by_facet


def _candidates(request: SearchRequest, value_ids: dict[str, list[int]]) -> tuple[str, list[object]]:
    """SQL selecting (doc, score) of every document the request matches, and its parameters."""
    expression = match_expression(request.text)
    parameters: list[object] = []
    if expression:
        sql = f"SELECT rowid AS doc, -bm25(text, {_WEIGHTS}) AS score FROM text WHERE text MATCH ?"
        parameters.append(expression)
    else:
        sql = "SELECT id AS doc, 0.0 AS score FROM doc WHERE kind = 'incident'"
    conditions = []
    for _, ids in sorted(value_ids.items()):
        conditions.append(f"EXISTS (SELECT 1 FROM posting WHERE value IN ({', '.join('?' * len(ids))})"
                          " AND posting.doc = matched.doc)")
        parameters += ids
    if set(request.kinds) != set(KINDS):
        conditions.append(f"doc.kind IN ({', '.join('?' * len(request.kinds))})")
        parameters += list(request.kinds)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # materialised first: flattened into the outer query, FTS5 ranks far slower
    return (f"WITH matched AS MATERIALIZED ({sql}) SELECT matched.doc, score * {_KIND_WEIGHT} FROM matched"
            f" JOIN doc ON doc.id = matched.doc{where}"), parameters


def _facet_counts(connection: sqlite3.Connection, found: int) -> dict[str, tuple[FacetValue, ...]]:
    """Counts of every facet value among the incidents found, largest first, at most MAX_FACET_VALUES a facet."""
    if found < _SCAN_FROM:  # few hits: look up each hit's values
        counting = "SELECT posting.value AS id, COUNT(*) AS n FROM temp.hit CROSS JOIN posting ON posting.doc = hit.doc"
    else:  # many: one pass over the postings in value order
        counting = "SELECT value AS id, COUNT(*) AS n FROM posting WHERE doc IN (SELECT doc FROM temp.hit)"
    rows = connection.execute(
        f"SELECT facet, value, label, n FROM ({counting} GROUP BY id) AS counted JOIN value USING (id)"
        " ORDER BY facet, n DESC, value"
    )
    facets: dict[str, list[FacetValue]] = {facet: [] for facet in FACETS}
    for facet, value, label, count in rows:
        if len(facets[facet]) < MAX_FACET_VALUES:
            facets[facet].append(FacetValue(value, label, count))
    return {facet: tuple(values) for facet, values in facets.items()}


def search(index_path: Path, request: SearchRequest) -> SearchResult:
    """Search the index at ``index_path``; raises SearchTimeout past ``request.deadline`` seconds."""
    started = time.monotonic()
    deadline = started + request.deadline
    connection = _connect(index_path)
    connection.set_progress_handler(lambda: time.monotonic() > deadline, _PROGRESS_STEPS)
    try:
        sql, parameters = _candidates(request, _value_ids(connection, request))
        connection.execute("CREATE TEMP TABLE hit (doc INTEGER PRIMARY KEY, score REAL NOT NULL)")
        connection.execute(f"INSERT INTO temp.hit {sql}", parameters)
        kinds = dict(connection.execute("SELECT kind, COUNT(*) FROM temp.hit JOIN doc ON doc.id = hit.doc GROUP BY kind"))
        rows = connection.execute(
            "SELECT iri, kind, label, score, identifier, years, sources, snippet FROM temp.hit JOIN doc ON doc.id = hit.doc"
            " ORDER BY score DESC, kind = 'incident' DESC, label, iri LIMIT ? OFFSET ?",
            (request.limit, request.offset),
        ).fetchall()
        facets = _facet_counts(connection, sum(kinds.values()))
        version = connection.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()[0]
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            raise SearchTimeout(f"the search for '{request.text}' ran past its deadline of {request.deadline} s") from None
        raise
    finally:
        connection.set_progress_handler(None, 0)
        connection.execute("DROP TABLE IF EXISTS temp.hit")
    hits = tuple(
        Hit(iri, kind, label, round(score, 4), identifier, tuple(filter(None, years.split(","))),
            tuple(filter(None, sources.split(","))), snippet)
        for iri, kind, label, score, identifier, years, sources, snippet in rows
    )
    return SearchResult(request, sum(kinds.values()), hits, kinds, facets, version,
                        round(time.monotonic() - started, 4))
