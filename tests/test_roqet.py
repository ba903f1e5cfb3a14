"""roqet (Rasqal's command-line SPARQL client, Debian ``rasqal-utils``) against the real server: SELECT, ASK,
CONSTRUCT and DESCRIBE.

roqet asks every query for ``Accept: application/sparql-results+xml`` and reads every answer with its SPARQL XML
results reader, as rows: it shows a SELECT's rows, and runs ASK, CONSTRUCT and DESCRIBE without showing an answer. A graph query is answered in RDF/XML (the default we send when only SPARQL result types are
acceptable), which roqet reads without error; the same request made here with roqet's headers must be a graph that
parses to the engine's answer. Without roqet these tests skip saying why; ``KG_REQUIRE_ROQET=1`` (set by
``.ci/run``) makes that a failure.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess

import httpx
import pytest
from live_server import LiveServer
from rdflib import Graph
from rdflib.compare import isomorphic

from kg.store import Boolean, Solutions, Triples, TripleStore

PROLOGUE = "PREFIX kg: <https://w3id.org/ai-incidents/def/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
SELECT = PROLOGUE + "SELECT ?incident ?notation WHERE { ?incident a kg:Incident ; skos:notation ?notation } ORDER BY ?incident LIMIT 5"
ASK = PROLOGUE + "ASK { ?incident a kg:Incident }"
CONSTRUCT = PROLOGUE + ("CONSTRUCT { ?incident a kg:Incident ; skos:notation ?notation } "
                        "WHERE { ?incident a kg:Incident ; skos:notation ?notation } ORDER BY ?incident LIMIT 3")
ROQET_ACCEPT = "application/sparql-results+xml"


@pytest.fixture(scope="module")
def roqet() -> str:
    found = shutil.which("roqet")
    if found is None:
        reason = "roqet is not installed (Debian package rasqal-utils)"
        if os.environ.get("KG_REQUIRE_ROQET") == "1":
            pytest.fail(f"{reason}, and KG_REQUIRE_ROQET=1 (set by .ci/run) requires it")
        pytest.skip(f"{reason}; set KG_REQUIRE_ROQET=1 to make this a failure")
    return found


def _run(roqet: str, server: LiveServer, query: str, *options: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([roqet, "-p", server.endpoint, "-e", query, *options],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr, done.stderr
    return done


def _describe(store: TripleStore) -> str:
    first = store.query("SELECT ?incident WHERE { ?incident a kg:Incident } ORDER BY ?incident LIMIT 1")
    assert isinstance(first, Solutions) and first.rows
    return f"DESCRIBE <{first.rows[0]['incident']}>"


def test_roqet_select_rows_are_the_engines(roqet: str, live_server: LiveServer, store: TripleStore) -> None:
    done = _run(roqet, live_server, SELECT, "-r", "csv", "-q")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    expected = store.query(SELECT)
    assert isinstance(expected, Solutions) and expected.rows
    assert [{k: v for k, v in row.items()} for row in rows] == [{k: str(v) for k, v in r.items()} for r in expected.rows]


def test_roqet_ask(roqet: str, live_server: LiveServer, store: TripleStore) -> None:
    """roqet 0.9.33 reads a protocol answer as rows (it shows no boolean); it must run without error, and the answer
    to its request must be the engine's boolean in SPARQL XML."""
    _run(roqet, live_server, ASK, "-q")
    answer = httpx.get(live_server.endpoint, params={"query": ASK}, headers={"Accept": ROQET_ACCEPT}, timeout=60)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(ROQET_ACCEPT)
    expected = store.query(ASK)
    assert isinstance(expected, Boolean)
    assert f"<boolean>{str(expected.value).lower()}</boolean>" in answer.text


@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_roqet_runs_graph_queries(roqet: str, live_server: LiveServer, store: TripleStore, form: str) -> None:
    query = CONSTRUCT if form == "CONSTRUCT" else _describe(store)
    _run(roqet, live_server, query)
    answer = httpx.get(live_server.endpoint, params={"query": query}, headers={"Accept": ROQET_ACCEPT}, timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/rdf+xml")
    expected = store.query(query)
    assert isinstance(expected, Triples) and expected.triples
    want = Graph()
    for triple in expected.triples:
        want.add(triple)
    assert isomorphic(Graph().parse(data=answer.content, format="xml"), want)
