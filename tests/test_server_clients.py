"""Real SPARQL clients against the session's uvicorn: SPARQLWrapper, rdflib's SPARQLStore, and another engine federating to us."""

from __future__ import annotations

import json
import subprocess
import sys

from live_server import LiveServer
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from kg import queries
from kg.store import Solutions, TripleStore

INCIDENTS = "SELECT ?incident ?notation WHERE { ?incident a kg:Incident ; skos:notation ?notation } ORDER BY ?incident"
PREFIXED = "PREFIX kg: <https://w3id.org/ai-incidents/def/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + INCIDENTS


def _expected(store: TripleStore) -> list[tuple[str, str]]:
    result = store.query(INCIDENTS)
    assert isinstance(result, Solutions) and result.rows
    return [(str(row["incident"]), str(row["notation"])) for row in result.rows]


def test_sparqlwrapper_in_json_xml_csv_and_turtle(live_server: LiveServer, store: TripleStore) -> None:
    client = SPARQLWrapper(live_server.endpoint)
    client.setQuery(INCIDENTS)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]  # type: ignore[index]
    assert [(b["incident"]["value"], b["notation"]["value"]) for b in bindings] == _expected(store)
    client.setReturnFormat(XML)
    assert len(client.query().convert().getElementsByTagName("result")) == len(_expected(store))  # type: ignore[union-attr]
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().count("\n") == len(_expected(store)) + 1  # type: ignore[union-attr]
    client.setMethod("POST")
    client.setQuery("CONSTRUCT { ?i a kg:Incident } WHERE { ?i a kg:Incident }")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")  # type: ignore[arg-type]
    assert {str(s) for s in graph.subjects()} == {iri for iri, _ in _expected(store)}


def test_rdflib_sparqlstore(live_server: LiveServer, store: TripleStore) -> None:
    graph = Graph(SPARQLStore(live_server.endpoint, returnFormat="json"))
    rows = [(str(r[0]), str(r[1])) for r in graph.query(PREFIXED)]  # type: ignore[index]
    assert rows == _expected(store)
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    example = queries.example("incidents-per-year")
    expected = store.query(example.text)
    assert isinstance(expected, Solutions)
    got = list(graph.query("PREFIX kg: <https://w3id.org/ai-incidents/def/>\n" + example.text))
    assert [(str(r[0]), int(r[1])) for r in got] == [(str(r["year"]), int(r["incidents"])) for r in expected.rows]  # type: ignore[index]
    assert (URIRef(_expected(store)[0][0]), None, None) in graph


FEDERATE = """
import json, sys
import pyoxigraph as ox
endpoint, query = sys.argv[1], sys.argv[2]
local = ox.Store()
local.add(ox.Quad(ox.NamedNode("http://local.example/me"), ox.NamedNode("http://local.example/asks"), ox.NamedNode(endpoint)))
rows = local.query(query.replace("ENDPOINT", endpoint))
print(json.dumps([[s[v].value for v in ("incident", "notation")] for s in rows]))
"""


def test_another_engine_federates_to_us(live_server: LiveServer, store: TripleStore) -> None:
    """A separate pyoxigraph process runs SERVICE <our endpoint>: the query travels over HTTP to our server."""
    query = (
        "PREFIX kg: <https://w3id.org/ai-incidents/def/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
        " SELECT ?incident ?notation WHERE { ?me <http://local.example/asks> <ENDPOINT> ."
        " SERVICE <ENDPOINT> { ?incident a kg:Incident ; skos:notation ?notation } } ORDER BY ?incident"
    )
    result = subprocess.run([sys.executable, "-c", FEDERATE, live_server.endpoint, query], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [tuple(row) for row in json.loads(result.stdout)] == _expected(store)
