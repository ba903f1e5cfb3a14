"""The W3C SPARQL 1.1 Protocol tests (query operation) and Service Description tests, against a real server.

The manifest is read as RDF: each test's requests are sent in order, and the status class, the media type
and the ASK answer are checked as ``mf:expectedStatus``/``expectedFormat``/``expectedBoolean`` say.

This is a query-only service, as the protocol allows (SPARQL 1.1 Protocol, 2.2: an update operation may be
refused). So the seven ``update_*`` tests are run up to their update request, which must be refused with 403
and change nothing; the ``bad_update_*`` tests expect a 4xx and get it from the same refusal.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from live_server import LiveServer
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PROTOCOL = Path(__file__).resolve().parents[3] / "shared/conformance/rdf-tests/sparql/sparql11/protocol/manifest.ttl"
FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "application/ld+json", "application/n-quads", "application/trig"},
}
STATUS_CLASSES = {HTS.StatusCode2xx: 2, HTS.StatusCode3xx: 3, HTS.StatusCode4xx: 4, HTS.StatusCode5xx: 5}


def _manifest() -> Graph:
    return Graph().parse(PROTOCOL, format="turtle")


def _tests() -> list[tuple[str, URIRef]]:
    graph = _manifest()
    entries = Collection(graph, graph.value(URIRef(PROTOCOL.as_uri()), MF.entries))
    return [(str(entry).rsplit("#", 1)[-1], URIRef(entry)) for entry in entries]


def _requests(graph: Graph, test: URIRef) -> list[dict[str, object]]:
    action = graph.value(test, MF.action)
    requests = []
    for node in Collection(graph, graph.value(action, HT.requests)):
        headers = {}
        header_list = graph.value(node, HT.headers)
        if header_list is not None:
            for header in Collection(graph, header_list):
                headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
        body = graph.value(node, HT.body)
        content = None
        if body is not None:
            encoding = str(graph.value(body, CNT.characterEncoding) or "UTF-8")
            content = str(graph.value(body, CNT.chars)).encode(encoding.lower())
        response = graph.value(node, HT.resp)
        requests.append(
            {
                "method": str(graph.value(node, HT.methodName)),
                "path": str(graph.value(node, HT.absolutePath)),
                "headers": headers,
                "content": content,
                "statuses": {STATUS_CLASSES[s] for s in graph.objects(response, MF.expectedStatus)},
                "format": graph.value(response, MF.expectedFormat),
                "boolean": graph.value(response, MF.expectedBoolean),
            }
        )
    return requests


def _boolean(response: httpx.Response) -> bool:
    if response.headers["content-type"].startswith("application/sparql-results+json"):
        return bool(response.json()["boolean"])
    return "<boolean>true</boolean>" in response.text


def _send(server: LiveServer, request: dict[str, object]) -> httpx.Response:
    """Send one manifest request, its ``/sparql/`` path mapped onto the server's endpoint."""
    path = str(request["path"])
    assert path.startswith("/sparql/")
    url = server.endpoint + path.removeprefix("/sparql")
    return httpx.request(str(request["method"]), url, headers=request["headers"], content=request["content"], timeout=30)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "test"), _tests(), ids=[name for name, _ in _tests()])
def test_protocol(conformance_server: LiveServer, record: dict[str, dict[str, str]], name: str, test: URIRef) -> None:
    requests = _requests(_manifest(), test)
    name = f"{name} [{conformance_server.backend}]"
    record[name] = {"suite": f"SPARQL 1.1 Protocol ({conformance_server.backend})", "outcome": "failed"}
    if name.startswith("update_"):
        response = _send(conformance_server, requests[0])
        assert response.status_code == 403, response.text  # refused: this is a query-only service
        assert "queries only" in response.text
        record[name]["outcome"] = "refused-update"
        return
    for request in requests:
        response = _send(conformance_server, request)
        assert response.status_code // 100 in request["statuses"], (response.status_code, response.text)  # type: ignore[operator]
        if request["format"] is not None:
            media_type = response.headers["content-type"].split(";")[0].strip()
            assert media_type in FORMATS[str(request["format"])], media_type
        if request["boolean"] is not None:
            assert _boolean(response) is Literal(request["boolean"]).toPython()
    record[name]["outcome"] = "passed"


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json", "application/n-triples"])
@pytest.mark.parametrize("name", ["returns-rdf", "has-endpoint-triple", "conforms-to-schema"])
def test_service_description(conformance_server: LiveServer, record: dict[str, dict[str, str]], name: str, accept: str) -> None:
    """The three prose tests of service-description/manifest.ttl, in each RDF format."""
    key = f"{name} ({accept}) [{conformance_server.backend}]"
    record[key] = {"suite": f"SPARQL 1.1 Service Description ({conformance_server.backend})", "outcome": "failed"}
    response = httpx.get(conformance_server.endpoint, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format={"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld", "application/n-triples": "nt"}[accept])
    endpoint = URIRef(conformance_server.endpoint)
    services = set(graph.subjects(SD.endpoint, endpoint))
    if name == "has-endpoint-triple":
        assert services
    if name == "conforms-to-schema":
        for service in services:
            assert (service, RDF.type, SD.Service) in graph
            assert set(graph.objects(service, SD.supportedLanguage)) <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
            for dataset in graph.objects(service, SD.defaultDataset):
                assert graph.value(dataset, SD.defaultGraph) is not None
                for named in graph.objects(dataset, SD.namedGraph):
                    assert isinstance(graph.value(named, SD.name), URIRef)
        names = {str(n) for d in graph.objects(None, SD.namedGraph) for n in graph.objects(d, SD.name)}
        assert names == {f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3)}
    assert len(graph) > 0
    assert urlsplit(str(endpoint)).hostname == "127.0.0.1"
    record[key]["outcome"] = "passed"
