"""The VoID description at /.well-known/void: where to query and download, counts checked against the store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from backends import Backend
from fastapi.testclient import TestClient
from live_server import wait_for_descriptions
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from kg.licence import LICENCE
from kg.namespaces import ID
from kg.store import Solutions, TripleStore
from server import create_app

BASE = "http://testserver"


@pytest.fixture(scope="module")
def client(backend: Backend) -> Iterator[TestClient]:
    settings = backend.settings(public_url=BASE, client_budget=0, query_workers=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def void(client: TestClient) -> tuple[Graph, URIRef]:
    wait_for_descriptions(client.get)  # computed once at start-up: until then a client may be told to come back (503)
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = graph.value(predicate=RDF.type, object=VOID.Dataset)
    assert isinstance(dataset, URIRef)
    return graph, dataset


def _rows(store: TripleStore, text: str) -> list[dict[str, object]]:
    result = store.query(text)
    assert isinstance(result, Solutions)
    return [{k: v.toPython() if isinstance(v, Literal) else v for k, v in row.items()} for row in result.rows]


def test_void_says_where_to_query_and_download(client: TestClient, void: tuple[Graph, URIRef]) -> None:
    graph, dataset = void
    assert graph.value(dataset, VOID.sparqlEndpoint) == URIRef(BASE + "/sparql")
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    dumps = set(graph.objects(dataset, VOID.dataDump))
    assert {str(d).rsplit("/", 1)[-1] for d in dumps} == {"ai-incidents.ttl.gz", "ai-incidents.nt.gz", "ai-incidents.nq.gz"}
    for dump in dumps:
        assert client.head(str(dump).removeprefix(BASE)).status_code == 200
    assert graph.value(dataset, VOID.uriSpace) == Literal(str(ID))
    examples = set(graph.objects(dataset, VOID.exampleResource))
    assert {ID["incident/AIAAIC0288"], ID["org/nec"], ID["concept/ethical-issue/privacy"]} <= examples
    for example in examples:
        response = client.get("/id/" + str(example).removeprefix(str(ID)), follow_redirects=False)
        assert response.status_code == 303
    assert graph.value(dataset, DCTERMS.license) == LICENCE
    assert "AIAAIC" in str(graph.value(dataset, DCTERMS.rights))


def test_void_counts_match_the_store(void: tuple[Graph, URIRef], store: TripleStore) -> None:
    graph, dataset = void
    assert graph.value(dataset, VOID.triples).toPython() == store.triple_count()
    subjects = [row["s"] for row in _rows(store, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }")]
    assert graph.value(dataset, VOID.distinctSubjects).toPython() == len(subjects)
    entities = [s for s in subjects if isinstance(s, URIRef) and str(s).startswith(str(ID))]
    assert graph.value(dataset, VOID.entities).toPython() == len(entities)
    members = Counter(row["c"] for row in _rows(store, "SELECT DISTINCT ?s ?c WHERE { ?s a ?c }"))
    partitions = {graph.value(p, VOID["class"]): graph.value(p, VOID.entities).toPython()
                  for p in graph.objects(dataset, VOID.classPartition)}
    assert partitions == dict(members)
    assert graph.value(dataset, VOID.classes).toPython() == len(members)
    uses = Counter(row["p"] for row in _rows(store, "SELECT ?p WHERE { ?s ?p ?o }"))
    properties = {graph.value(p, VOID.property): graph.value(p, VOID.triples).toPython()
                  for p in graph.objects(dataset, VOID.propertyPartition)}
    assert properties == dict(uses)
    assert graph.value(dataset, VOID.properties).toPython() == len(uses)


def test_service_description_gives_the_void_counts(client: TestClient, void: tuple[Graph, URIRef]) -> None:
    graph, dataset = void
    description = Graph().parse(data=client.get("/sparql", headers={"Accept": "text/turtle"}).content, format="turtle")
    described = next(description.objects(None, URIRef("http://www.w3.org/ns/sparql-service-description#defaultDataset")), None)
    assert described is not None
    for count in (VOID.triples, VOID.entities, VOID.distinctSubjects, VOID.properties, VOID.classes):
        assert description.value(described, count) == graph.value(dataset, count), count


@pytest.mark.parametrize(("media_type", "syntax"), [("application/ld+json", "json-ld"), ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_void_in_other_formats(client: TestClient, void: tuple[Graph, URIRef], media_type: str, syntax: str) -> None:
    response = client.get("/.well-known/void", headers={"Accept": media_type})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    other = Graph().parse(data=response.content, format=syntax)
    graph, dataset = void
    assert len(other) == len(graph)
    assert other.value(dataset, VOID.triples) == graph.value(dataset, VOID.triples)


def test_browsers_get_an_html_view_of_the_same_description(client: TestClient, void: tuple[Graph, URIRef]) -> None:
    graph, dataset = void
    response = client.get("/.well-known/void", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "Accept" in response.headers["vary"]
    assert str(dataset) in response.text and f"{int(graph.value(dataset, VOID.triples))}" in response.text
    assert client.get("/.well-known/void", params={"format": "html"}).headers["content-type"].startswith("text/html")
    assert client.get("/.well-known/void").headers["content-type"].startswith("text/turtle")
