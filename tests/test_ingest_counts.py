"""Imported counts, checked against counts computed here from the raw files with the csv module alone.

The expectations re-derive, independently of the importers, which rows a careful reader would accept:
an ID, a title, a well-formed date; and which lines are empty.
"""

from __future__ import annotations

import csv
import json
import re
from datetime import date
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.build import BuildResult
from kg.ingest.report import ImportReport
from kg.namespaces import GRAPH, KG
from kg.store import EmbeddedStore, Solutions

SOURCES = Path(__file__).resolve().parents[1] / "data" / "sources"
INCIDENTS_IN = "SELECT ?graph (COUNT(DISTINCT ?i) AS ?n) WHERE { GRAPH ?graph { ?i a kg:Incident } } GROUP BY ?graph"
IN_SCHEME = """SELECT ?graph ?scheme (COUNT(DISTINCT ?c) AS ?n)
WHERE { GRAPH ?graph { ?c skos:inScheme ?scheme } } GROUP BY ?graph ?scheme"""
SUBJECTS_OF = "SELECT ?graph ?p (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?graph { ?s ?p ?o } } GROUP BY ?graph ?p"


def count(store: EmbeddedStore, query: str, **bindings: URIRef) -> int:
    result = store.query(query, bindings)
    assert isinstance(result, Solutions)
    return int(result.rows[0]["n"]) if result.rows else 0  # type: ignore[arg-type]


def report(built: BuildResult, source: str) -> ImportReport:
    return next(r for r in built.sources if r.source == source)


def raw_rows(path: Path, skip: int) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))[skip:]


def iso_day(text: str) -> bool:
    try:
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", text)) and bool(date.fromisoformat(text))
    except ValueError:
        return False


@pytest.mark.parametrize("snapshot", ["2026-05", "2025-12"])
def test_aiaaic_counts(built: BuildResult, store: EmbeddedStore, snapshot: str) -> None:
    rows = raw_rows(SOURCES / "aiaaic" / f"aiaaic_incidents_{snapshot}.csv", skip=3)
    empty = [r for r in rows if not any(cell.strip() for cell in r)]
    accepted = [
        r
        for r in rows
        if re.fullmatch(r"AIAAIC\d{3,4}", r[0].strip())
        and r[1].strip()
        and re.fullmatch(r"(\d{4}(-(\d{4})?)?)?", r[2].strip())
    ]
    found = report(built, f"aiaaic-{snapshot}")
    assert (found.rows_read, found.imported, found.empty) == (len(rows), len(accepted), len(empty))
    assert len(found.rejected) == len(rows) - len(accepted) - len(empty)
    distinct = {int(r[0].strip()[6:]) for r in accepted}
    assert count(store, INCIDENTS_IN, graph=GRAPH[f"aiaaic/{snapshot}"]) == len(distinct)


@pytest.mark.parametrize(
    ("source", "path", "graph"),
    [
        ("aiid-2026-06", "aiid/incidents_2026-06.csv", "aiid/2026-06"),
        ("aiid-2026-02", "aiid/snapshot_2026-02/incidents.csv", "aiid/2026-02"),
    ],
)
def test_aiid_counts(built: BuildResult, store: EmbeddedStore, source: str, path: str, graph: str) -> None:
    with (SOURCES / path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    accepted = [
        r
        for r in rows
        if r["incident_id"].isdigit()
        and r["title"].strip()
        and iso_day(r["date"])
        and all(isinstance(json.loads(r[c]), list) for c in r if c.startswith("Alleged"))
    ]
    found = report(built, source)
    assert (found.rows_read, found.imported, len(found.rejected)) == (
        len(rows),
        len(accepted),
        len(rows) - len(accepted),
    )
    assert count(store, INCIDENTS_IN, graph=GRAPH[graph]) == len({r["incident_id"] for r in accepted})


@pytest.mark.parametrize(
    ("source", "path", "graph"),
    [
        ("aiid-2026-02-mit", "classifications_MIT.csv", "aiid/2026-02/mit"),
        ("aiid-2026-02-gmf", "classifications_GMF.csv", "aiid/2026-02/gmf"),
        ("aiid-2026-02-cset-v1", "classifications_CSETv1.csv", "aiid/2026-02/cset-v1"),
    ],
)
def test_aiid_classification_counts(
    built: BuildResult, store: EmbeddedStore, source: str, path: str, graph: str
) -> None:
    rows = raw_rows(SOURCES / "aiid" / "snapshot_2026-02" / path, skip=1)
    found = report(built, source)
    assert (found.rows_read, found.imported, len(found.rejected)) == (len(rows), len(rows), 0)
    result = store.query(SUBJECTS_OF, {"graph": GRAPH[graph], "p": KG.describedBy})
    assert isinstance(result, Solutions)
    assert int(result.rows[0]["n"]) == len({r[1] for r in rows})  # type: ignore[arg-type]


def test_duplicates_count(built: BuildResult, store: EmbeddedStore) -> None:
    rows = raw_rows(SOURCES / "aiid" / "snapshot_2026-02" / "duplicates.csv", skip=1)
    assert report(built, "aiid-2026-02-duplicates").imported == len(rows)
    result = store.query(
        SUBJECTS_OF, {"graph": GRAPH["aiid/2026-02"], "p": URIRef("http://purl.org/dc/terms/isReplacedBy")}
    )
    assert isinstance(result, Solutions)
    assert int(result.rows[0]["n"]) == len({r[0] for r in rows})  # type: ignore[arg-type]


def test_oecd_counts(built: BuildResult, store: EmbeddedStore) -> None:
    with (SOURCES / "oecd-aim" / "oecd_aim_fatal_incidents_sample.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    found = report(built, "oecd-aim-sample")
    assert (found.rows_read, found.imported) == (len(rows), len(rows))
    assert count(store, INCIDENTS_IN, graph=GRAPH["oecd-aim/sample"]) == len({r["id"] for r in rows})


def test_mit_risk_counts(built: BuildResult, store: EmbeddedStore) -> None:
    with (SOURCES / "mit-ai-risk" / "ai_risk_database_v3.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    risks = [r for r in rows if r["Category level"] in ("Risk Category", "Risk Sub-Category")]
    found = report(built, "mit-ai-risk-v3")
    assert (found.rows_read, found.imported, len(found.rejected)) == (len(rows), len(rows), 0)
    in_scheme = store.query(IN_SCHEME, {"graph": GRAPH["mit-ai-risk/v3"], "scheme": KG.mitRisks})
    assert isinstance(in_scheme, Solutions)
    assert int(in_scheme.rows[0]["n"]) == len(risks)  # type: ignore[arg-type]
    domains = raw_rows(SOURCES / "mit-ai-risk" / "domain_taxonomy_v3.csv", skip=1)
    assert report(built, "mit-ai-risk-v3-domains").imported == len(domains)
    taxonomy = store.query(IN_SCHEME, {"graph": GRAPH["mit-ai-risk/v3"], "scheme": KG.mitRiskDomains})
    assert isinstance(taxonomy, Solutions)
    assert int(taxonomy.rows[0]["n"]) == len(domains) + len({r[0] for r in domains})  # type: ignore[arg-type]


def test_every_row_is_accounted_for(built: BuildResult) -> None:
    for found in built.sources:
        assert found.rows_read == found.imported + len(found.rejected) + found.empty, found.source
        assert all(p.row and p.file for p in found.rejected), found.source
