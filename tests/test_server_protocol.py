"""The SPARQL 1.1 Protocol at /sparql through the app (FastAPI TestClient on the session store, real workers)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from backends import Backend, known_failure
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF

from kg import queries
from kg.namespaces import SD, VOID
from kg.store import Solutions, TripleStore
from server import create_app

RESULT_TYPES = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
DATASET_TYPES = {"application/n-quads": "nquads", "application/trig": "trig"}
ENDPOINT = "http://testserver/sparql"


@pytest.fixture(scope="module")
def client(backend: Backend) -> Iterator[TestClient]:
    settings = backend.settings(public_url="http://testserver", client_budget=0)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def _rows(store: TripleStore, text: str, params: dict[str, URIRef]) -> list[dict[str, str]]:
    result = store.query(text, params)
    assert isinstance(result, Solutions)
    return _canonical([{k: str(v) for k, v in row.items()} for row in result.rows])


def _canonical(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows in a comparable order: GROUP_CONCAT lists and ORDER BY ties may come in any order (in-memory vs disk)."""

    def value(text: str) -> str:
        for separator in (" | ", "; "):
            if separator in text:
                return separator.join(sorted(text.split(separator)))
        return text

    return sorted(({k: value(v) for k, v in row.items() if v != ""} for row in rows), key=lambda r: sorted(r.items()))


@pytest.mark.parametrize("name", sorted(n for n, e in queries.examples().items() if not e.service))  # see test_wikidata
@pytest.mark.parametrize("media_type", RESULT_TYPES)
def test_example_queries_in_every_result_format(backend: Backend, client: TestClient, store: TripleStore, name: str, media_type: str) -> None:
    example = queries.example(name)
    response = client.post("/sparql", content=example.text, headers={"Content-Type": "application/sparql-query", "Accept": media_type})
    if (failure := known_failure(backend.name, name)) is not None:  # a documented difference: the store's own error
        assert response.status_code == 503 and failure in response.text, response.text
        return
    expected = _rows(store, example.text, {})  # over HTTP there are no bindings: parameters stay unbound on both sides
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    if media_type.endswith("json"):
        data = response.json()
        got = [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
        assert _canonical(got) == expected
    elif media_type == "text/csv":
        assert _canonical(list(csv.DictReader(io.StringIO(response.text)))) == expected
    else:
        assert response.content.count(b"<result>" if media_type.endswith("xml") else b"\n") == len(expected) + (0 if media_type.endswith("xml") else 1)


@pytest.mark.parametrize("media_type", [*GRAPH_TYPES, *DATASET_TYPES])
def test_construct_in_every_graph_format(client: TestClient, store: TripleStore, media_type: str) -> None:
    text = "CONSTRUCT { ?incident ?p ?o } WHERE { VALUES ?incident { id:incident\\/AIAAIC0288 } ?incident ?p ?o }"
    expected = store.query(text)
    response = client.get("/sparql", params={"query": text}, headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    parsed = Dataset() if media_type in DATASET_TYPES else Graph()
    parsed.parse(data=response.content, format={**GRAPH_TYPES, **DATASET_TYPES}[media_type])
    assert len(parsed) == len(expected.triples) > 0  # type: ignore[union-attr]


def test_describe_returns_rdf(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/ai-incidents/id/incident/AIAAIC0288>"}, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    assert (URIRef("https://w3id.org/ai-incidents/id/incident/AIAAIC0288"), None, None) in graph


def test_ask_and_format_parameter(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s a kg:Incident }", "format": "xml"})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    assert "<boolean>true</boolean>" in response.text
    assert client.get("/sparql", params={"query": "ASK { ?s a kg:NoSuchClass }"}).json() == {"head": {}, "boolean": False}


def test_post_form_and_direct_agree(client: TestClient) -> None:
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    form = client.post("/sparql", data={"query": text})
    direct = client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    get = client.get("/sparql/", params={"query": text})
    assert form.status_code == direct.status_code == get.status_code == 200
    assert form.json() == direct.json() == get.json()


def test_repeated_query_is_served_from_the_cache(client: TestClient) -> None:
    text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g # cache test"
    first = client.get("/sparql", params={"query": text})
    second = client.get("/sparql", params={"query": text})
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.content == second.content


def test_protocol_dataset_selects_our_graphs(client: TestClient, store: TripleStore) -> None:
    graph = store.graph_names()[0]
    expected = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {"g": URIRef(graph)})
    assert isinstance(expected, Solutions)
    count = int(expected.rows[0]["n"])
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = client.get("/sparql", params={"query": text, "default-graph-uri": graph})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == count
    named = client.get("/sparql", params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }", "named-graph-uri": graph})
    assert [b["g"]["value"] for b in named.json()["results"]["bindings"]] == [graph]
    unknown = client.get("/sparql", params={"query": text, "default-graph-uri": "http://example.org/not-here"})
    assert unknown.json()["results"]["bindings"][0]["n"]["value"] == "0"


def test_malformed_query_gets_400_with_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y \n"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "malformed-query"
    assert "line 3, column 1" in body["message"] or "line 2," in body["message"], body["message"]
    plain = client.get("/sparql", params={"query": "SELEKT * {}"})
    assert plain.status_code == 400 and plain.headers["content-type"].startswith("text/plain")
    assert "line 1, column 1" in plain.text and "Traceback" not in plain.text


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("post", {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}}, 403),
        ("post", {"data": {"update": "INSERT DATA { <a:b> <a:c> <a:d> }"}}, 403),
        ("get", {"params": {"update": "CLEAR ALL"}}, 403),
        ("post", {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
        ("post", {"content": "ASK {}"}, 415),
        ("post", {"content": "ASK {}".encode("utf-16"), "headers": {"Content-Type": "application/sparql-query; charset=UTF-16"}}, 415),
        ("post", {"content": b"ASK { \xff }", "headers": {"Content-Type": "application/sparql-query"}}, 400),
        ("get", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
        ("post", {"data": {"format": "csv"}}, 400),
        ("put", {"params": {"query": "ASK {}"}}, 405),
        ("delete", {}, 405),
        ("get", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
        ("get", {"params": {"query": "SELECT * {}"}, "headers": {"Accept": "text/turtle"}}, 406),
        ("get", {"params": {"query": "ASK {}", "format": "pdf"}}, 406),
    ],
)
def test_protocol_errors(client: TestClient, method: str, kwargs: dict[str, object], status: int) -> None:
    response = getattr(client, method)("/sparql", **kwargs)
    assert response.status_code == status, response.text
    assert response.text.strip() and "Traceback" not in response.text


def test_load_as_a_query_is_refused(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": "LOAD <file:///etc/passwd>"})
    assert response.status_code == 403
    assert "read-only" in response.text and "LOAD is a SPARQL update" in response.text


def test_service_description(client: TestClient, store: TripleStore) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.text, format="turtle")
    service = URIRef(ENDPOINT)
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, URIRef(ENDPOINT)) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert len(set(graph.objects(service, SD.resultFormat))) == 10
    dataset = graph.value(service, SD.defaultDataset)
    assert graph.value(dataset, VOID.triples).toPython() == store.triple_count()
    classes = store.query("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?x a ?c }")
    assert isinstance(classes, Solutions)
    assert graph.value(dataset, VOID.classes).toPython() == int(classes.rows[0]["n"])
    assert graph.value(dataset, VOID.entities).toPython() > 0
    names = {str(graph.value(ng, SD.name)) for ng in graph.objects(dataset, SD.namedGraph)}
    assert names == set(store.graph_names())
    as_jsonld = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert len(Graph().parse(data=as_jsonld.text, format="json-ld")) == len(graph)


def test_browsers_get_the_query_page_and_cors_is_open(client: TestClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html") and "<textarea" in page.text
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    simple = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
    assert simple.headers["access-control-allow-origin"] == "*"


def test_body_and_url_limits(backend: Backend) -> None:
    limit = 4096
    padding = "#" + "x" * limit + "\nASK {}"
    with TestClient(create_app(backend.settings(max_body_bytes=limit, query_workers=1))) as small:
        direct = {"Content-Type": "application/sparql-query"}
        assert small.post("/sparql", content=padding, headers=direct).status_code == 413
        assert small.post("/sparql", data={"query": padding}).status_code == 413
        assert small.get("/sparql", params={"query": padding}).status_code == 414
        assert small.post("/sparql", content="#" + padding[-limit // 2 :], headers=direct).status_code == 200


def test_pages_examples_and_health(client: TestClient) -> None:
    assert "<textarea" in client.get("/query").text
    home = client.get("/").text
    assert "<textarea" not in home and 'action="/search"' in home
    examples = client.get("/examples").json()
    assert [e["name"] for e in examples] == sorted(queries.examples())
    assert client.get("/static/query.js").status_code == 200
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["workers"]["alive"] == health["workers"]["configured"]
    assert json.dumps(health)


@pytest.mark.parametrize("query", ["SELECT ?p ?o WHERE { <https://w3id.org/ai-incidents/id/incident/AIAAIC0288> ?p ?o }",
                                   "SELECT nonsense", "ASK { ?s ?p ?o }"])
def test_the_plain_lane_answers_as_the_whole_stack_does(client: TestClient, query: str) -> None:
    """A plain GET (no Origin, no body) is answered before the middleware (server/sparql_endpoint.py); the same request
    made not plain by an empty body's Content-Length goes through every layer: same status, body and headers."""
    accept = {"Accept": "application/sparql-results+json"}
    plain = client.get("/sparql", params={"query": query}, headers=accept)
    layered = client.get("/sparql", params={"query": query}, headers={**accept, "Content-Length": "0"})
    assert plain.status_code == layered.status_code
    assert plain.content == layered.content
    volatile = {"x-cache", "date", "content-length"}
    assert {k: v for k, v in plain.headers.items() if k not in volatile} == \
        {k: v for k, v in layered.headers.items() if k not in volatile}
    assert plain.headers["vary"] == "Accept, Origin" and plain.headers["x-content-type-options"] == "nosniff"
