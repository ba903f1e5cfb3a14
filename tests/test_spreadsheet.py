"""The incidents CSV for spreadsheets: one row per incident per source database, with what SPARQL says of each."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.build import BuildResult
from kg.namespaces import ID
from kg.spreadsheet import COLUMNS, SEPARATOR, write_incidents_csv
from kg.store import EmbeddedStore

pytestmark = pytest.mark.slow
KINGS_CROSS = str(ID["incident/AIAAIC0288"])


@pytest.fixture(scope="module")
def rows(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    path = tmp_path_factory.mktemp("csv") / "incidents.csv"
    count = write_incidents_csv(EmbeddedStore.open_build(built.location), path)
    with path.open(encoding="utf-8", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert len(read) == count and list(read[0]) == list(COLUMNS)
    return read


def test_one_row_per_incident_per_source_database(built: BuildResult, rows: list[dict[str, str]]) -> None:
    graph = EmbeddedStore.open_build(built.location)
    pairs = graph.query("SELECT DISTINCT ?incident ?database WHERE { GRAPH ?g { ?incident a kg:Incident } "
                        "?g prov:wasDerivedFrom/schema:publisher/rdfs:label ?database }").rows
    assert sorted((r["iri"], r["source_database"]) for r in rows) == sorted((str(p["incident"]), str(p["database"])) for p in pairs)


def test_a_row_says_what_the_graph_says_of_the_incident(built: BuildResult, rows: list[dict[str, str]]) -> None:
    graph = EmbeddedStore.open_build(built.location)
    (row,) = [r for r in rows if r["iri"] == KINGS_CROSS]
    bound = {"incident": URIRef(KINGS_CROSS)}

    def labels(pattern: str) -> set[str]:
        return {str(r["label"]) for r in graph.query(f"SELECT ?incident ?label WHERE {{ {pattern} }}", bound).rows}

    assert set(row["countries"].split(SEPARATOR)) == labels("?incident kg:jurisdiction/skos:prefLabel ?label")
    assert set(row["technologies"].split(SEPARATOR)) == labels("?incident kg:involvesSystem/kg:technology/skos:prefLabel ?label")
    assert set(row["ethical_issues"].split(SEPARATOR)) == labels("?incident kg:ethicalIssue/skos:prefLabel ?label")
    assert set(row["deployers"].split(SEPARATOR)) == labels(
        "?incident kg:involvesSystem ?s . ?i kg:involvedIn ?s ; kg:role kg:deployer ; kg:agent/rdfs:label ?label ; "
        "kg:status ?status FILTER (?status != kg:denied)")
    assert row["title"] in labels("?incident dct:title ?label") and row["date"] in labels("?incident kg:occurred ?label")
    assert row["source_id"] in labels("?incident skos:notation ?label")


def test_the_file_opens_as_plain_csv(rows: list[dict[str, str]], tmp_path: Path) -> None:
    assert all(r["iri"].startswith(str(ID["incident/"])) and r["source_database"] for r in rows)
