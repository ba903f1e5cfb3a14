"""SPARQLWrapper in its default mode against the real server: every query form x every return format it offers for
that form x every request method, each answer compared with the engine's own answer to the same query.

Its default mode sends ``format=``, ``output=`` and ``results=`` beside ``Accept`` (for TSV, JSON-LD and RDF/XML a
second ``format`` value, the media type), so this table tests both our reading of repeated parameters and our
negotiation. An answer in another format than asked makes SPARQLWrapper warn "Format requested was ...": a failure.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from xml.dom.minidom import Document

import pytest
from live_server import LiveServer
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDF, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper

from kg.store import Boolean, Solutions, Triples, TripleStore

SELECT = "SELECT ?incident ?notation WHERE { ?incident a kg:Incident ; skos:notation ?notation } ORDER BY ?incident LIMIT 5"
ASK = "ASK { ?incident a kg:Incident }"
CONSTRUCT = ("CONSTRUCT { ?incident a kg:Incident ; skos:notation ?notation } "
             "WHERE { ?incident a kg:Incident ; skos:notation ?notation } ORDER BY ?incident LIMIT 3")
FIRST_INCIDENT = "SELECT ?incident WHERE { ?incident a kg:Incident } ORDER BY ?incident LIMIT 1"

FORMATS = {
    "SELECT": (JSON, XML, CSV, TSV),
    "ASK": (JSON, XML, CSV, TSV),
    "CONSTRUCT": (XML, RDFXML, RDF, TURTLE, N3, JSONLD, JSON),
    "DESCRIBE": (XML, RDFXML, RDF, TURTLE, N3, JSONLD, JSON),
}
"""Every return format SPARQLWrapper offers, for the query forms it applies to (it has no graph format for a SELECT)."""

METHODS = {"GET": None, "POST-form": URLENCODED, "POST-direct": POSTDIRECTLY}
CASES = [(form, fmt, method) for form, formats in FORMATS.items() for fmt in formats for method in METHODS]


@pytest.fixture(scope="module")
def describe_query(store: TripleStore) -> str:
    """DESCRIBE of the first incident (a real resource of the graph)."""
    result = store.query(FIRST_INCIDENT)
    assert isinstance(result, Solutions) and result.rows
    return f"DESCRIBE <{result.rows[0]['incident']}>"


def _query(form: str, describe_query: str) -> str:
    return {"SELECT": SELECT, "ASK": ASK, "CONSTRUCT": CONSTRUCT, "DESCRIBE": describe_query}[form]


def _rows_from(converted: object, fmt: str) -> list[dict[str, str]]:
    """The rows of a SELECT answer as SPARQLWrapper converted it: variable -> lexical value."""
    if fmt == JSON:
        return [{name: b["value"] for name, b in row.items()} for row in converted["results"]["bindings"]]  # type: ignore[index]
    if fmt == XML:
        assert isinstance(converted, Document)
        rows = []
        for result in converted.getElementsByTagName("result"):
            rows.append({b.getAttribute("name"): b.firstChild.firstChild.data for b in result.getElementsByTagName("binding")})  # type: ignore[union-attr]
        return rows
    assert isinstance(converted, bytes)
    if fmt == CSV:
        return list(csv.DictReader(io.StringIO(converted.decode("utf-8"), newline="")))
    header, *lines = converted.decode("utf-8").splitlines()
    names = [name.lstrip("?") for name in header.split("\t")]
    return [{n: cell.strip("<>").split('"')[1] if cell.startswith('"') else cell.strip("<>") for n, cell in zip(names, line.split("\t"))}
            for line in lines]


def _boolean_from(converted: object, fmt: str) -> bool:
    if fmt == JSON:
        return bool(converted["boolean"])  # type: ignore[index]
    if fmt == XML:
        assert isinstance(converted, Document)
        return converted.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[union-attr]
    assert isinstance(converted, bytes)
    return {"true": True, "false": False}[converted.decode("ascii").strip()]


def _graph_from(converted: object) -> Graph:
    if isinstance(converted, bytes):
        return Graph().parse(data=converted, format="turtle")
    graph = Graph()
    for triple in converted.triples((None, None, None)):  # type: ignore[attr-defined]
        graph.add(triple)
    return graph


def _expected_graph(triples: Triples) -> Graph:
    graph = Graph()
    for s, p, o in triples.triples:
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize(("form", "fmt", "method"), CASES, ids=[f"{f}-{x}-{m}" for f, x, m in CASES])
def test_sparqlwrapper_default_mode(live_server: LiveServer, store: TripleStore, describe_query: str,
                                    form: str, fmt: str, method: str) -> None:
    query = _query(form, describe_query)
    client = SPARQLWrapper(live_server.endpoint)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if METHODS[method] is not None:
        client.setMethod(POST)
        client.setRequestMethod(METHODS[method])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        converted = client.query().convert()
    wrong = [str(w.message) for w in caught if "has been returned" in str(w.message) or "unknown response" in str(w.message)]
    assert not wrong, wrong
    expected = store.query(query)
    if isinstance(expected, Solutions):
        want = [{name: str(value) for name, value in row.items()} for row in expected.rows]
        assert _rows_from(converted, fmt) == want
    elif isinstance(expected, Boolean):
        assert _boolean_from(converted, fmt) is expected.value
    else:
        assert isinstance(expected, Triples) and expected.triples
        assert isomorphic(_graph_from(converted), _expected_graph(expected))


def test_the_table_covers_every_format_sparqlwrapper_offers() -> None:
    from SPARQLWrapper.Wrapper import _allowedFormats

    offered = {fmt for formats in FORMATS.values() for fmt in formats}
    assert set(_allowedFormats) == offered, set(_allowedFormats) ^ offered
    assert json.dumps(sorted(METHODS)) == json.dumps(["GET", "POST-direct", "POST-form"])
