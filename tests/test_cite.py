"""Citations of an incident: the BibTeX parses with a real BibTeX parser, the RIS is well formed, the CSL-JSON is
JSON with the fields CSL requires, and all say what the graph says (title, date at its precision, databases)."""

from __future__ import annotations

import json
import re
from datetime import date

import bibtexparser
import pytest
from rdflib import URIRef

from kg.build import BuildResult
from kg.cite import bibtex, citation, csl_json, ris
from kg.errors import NotFound
from kg.namespaces import ID
from kg.store import EmbeddedStore

pytestmark = pytest.mark.slow
KINGS_CROSS = str(ID["incident/AIAAIC0288"])
TODAY = date(2026, 12, 2)


@pytest.fixture(scope="module")
def graph(built: BuildResult) -> EmbeddedStore:
    return EmbeddedStore.open_build(built.location)


def facts(graph: EmbeddedStore) -> dict[str, set[str]]:
    rows = graph.query(
        "SELECT ?incident ?title ?date ?publisher WHERE { ?incident dct:title ?title ; kg:occurred ?date . "
        "GRAPH ?g { ?incident a kg:Incident } ?g prov:wasDerivedFrom/schema:publisher/rdfs:label ?publisher }",
        {"incident": URIRef(KINGS_CROSS)}).rows
    return {name: {str(row[name]) for row in rows} for name in ("title", "date", "publisher")}


def test_the_bibtex_of_kings_cross_parses_and_says_what_the_graph_says(graph: EmbeddedStore) -> None:
    expected = facts(graph)
    library = bibtexparser.parse_string(bibtex(citation(graph, KINGS_CROSS), TODAY))
    assert library.failed_blocks == [] and len(library.entries) == 1
    entry = library.entries[0]
    fields = {f.key: f.value for f in entry.fields}
    assert entry.key == "AIAAIC0288" and entry.entry_type == "misc"
    assert fields["title"].strip("{}") in expected["title"]
    assert fields["url"] == KINGS_CROSS and fields["urldate"] == "2026-12-02"
    precise = max(expected["date"], key=len)
    assert fields["year"] == precise[:4] and (len(precise) < 7 or fields["month"] == "aug")
    assert {name.strip("{}") for name in fields["author"].split(" and ")} == expected["publisher"]


def test_the_bibtex_escapes_what_latex_would_read_as_commands(graph: EmbeddedStore) -> None:
    rows = graph.query("SELECT ?incident (MIN(?text) AS ?title) WHERE { ?incident a kg:Incident ; dct:title ?text "
                       "FILTER (REGEX(?text, '[%&$#_{}]')) } GROUP BY ?incident ORDER BY ?incident LIMIT 3").rows
    assert rows, "the real data has titles with LaTeX special characters"
    for row in rows:
        entry = bibtexparser.parse_string(bibtex(citation(graph, str(row["incident"])), TODAY)).entries[0]
        escaped = entry.fields_dict["title"].value
        assert re.sub(r"\\(.)", r"\1", escaped) == str(row["title"]) and re.search(r"(?<!\\)[%&$#_]", escaped) is None


def test_the_ris_record_is_well_formed(graph: EmbeddedStore) -> None:
    lines = ris(citation(graph, KINGS_CROSS), TODAY).split("\r\n")
    assert lines[0] == "TY  - DBASE" and lines[-2] == "ER  - " and lines[-1] == ""
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1])
    assert "UR  - " + KINGS_CROSS in lines and "DA  - 2019/08//" in lines


def test_the_csl_json_has_the_required_fields(graph: EmbeddedStore) -> None:
    item = json.loads(json.dumps([csl_json(citation(graph, KINGS_CROSS), TODAY)]))[0]
    assert {"id", "type", "title", "URL", "issued", "accessed"} <= item.keys()
    assert item["URL"] == KINGS_CROSS and item["issued"] == {"date-parts": [[2019, 8]]}
    assert item["accessed"] == {"date-parts": [[2026, 12, 2]]}
    assert {a["literal"] for a in item["author"]} == facts(graph)["publisher"]


def test_citing_what_is_no_incident_says_so(graph: EmbeddedStore) -> None:
    with pytest.raises(NotFound, match="no incident"):
        citation(graph, str(ID["org/metropolitan-police-service"]))
