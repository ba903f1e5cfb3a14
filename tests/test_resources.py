"""Dereferenceable IRIs: 303 from things to documents, HTML for people, RDF in four formats, 404s that help, /def."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from backends import Backend
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, VOID

from kg.describe import describe
from kg.display import Ref
from kg.namespaces import GRAPH, ID, KG
from kg.store import Boolean, Solutions, TripleStore
from kg.summary import Summary
from kg.vocabulary import ontology_graph
from server import create_app
from server.rendering import environment

INCIDENT, NEC, PRIVACY = ID["incident/AIAAIC0288"], ID["org/nec"], ID["concept/ethical-issue/privacy"]
MET = ID["org/metropolitan-police-service"]
FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt", "application/rdf+xml": "xml"}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def client(backend: Backend) -> Iterator[TestClient]:
    settings = backend.settings(public_url="http://testserver", client_budget=0, query_workers=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


class _Page(HTMLParser):
    """The text of a page, and the rows of its tables by class (each row a list of cell texts)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.links: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._table = found.get("class") or ""
            self.tables.setdefault(self._table, [])
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)

    @property
    def words(self) -> str:
        """The text as it reads: one space between words, none inside brackets or before punctuation."""
        text = " ".join(" ".join(self.text).split())
        return re.sub(r"([(\[]) ", r"\1", re.sub(r" ([)\],.:;])", r"\1", text))


def _page(client: TestClient, path: str) -> _Page:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return _Page(response.text)


@pytest.mark.parametrize("iri", [INCIDENT, NEC, PRIVACY])
def test_things_answer_303_to_their_documents(client: TestClient, iri: URIRef) -> None:
    path = str(iri).removeprefix(str(ID))
    response = client.get(f"/id/{path}?format=ttl", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/doc/{path}?format=ttl"


@pytest.mark.parametrize("media_type", FORMATS)
@pytest.mark.parametrize("iri", [INCIDENT, NEC, PRIVACY])
def test_documents_in_each_rdf_format_hold_the_description(client: TestClient, store: TripleStore, iri: URIRef, media_type: str) -> None:
    response = client.get("/id/" + str(iri).removeprefix(str(ID)), headers={"Accept": media_type})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.content, format=FORMATS[media_type])
    assert isomorphic(graph, describe(store, iri))
    own = store.query("SELECT ?p ?o ?resource WHERE { ?resource ?p ?o }", {"resource": iri})
    assert isinstance(own, Solutions) and own.rows
    assert all((iri, row["p"], row["o"]) in graph for row in own.rows)
    for linked in {row["o"] for row in own.rows if isinstance(row["o"], URIRef)}:
        labels = store.query("SELECT ?label ?node WHERE { ?node rdfs:label|skos:prefLabel|dct:title ?label }", {"node": linked})
        assert isinstance(labels, Solutions)
        assert all((linked, None, row["label"]) in graph for row in labels.rows)


def test_incident_rdf_holds_its_involvements_claims_and_timeline(client: TestClient) -> None:
    graph = Graph().parse(data=client.get("/doc/incident/AIAAIC0288?format=ttl").content, format="turtle")
    system = graph.value(INCIDENT, KG.involvesSystem)
    developers = {graph.value(i, KG.agent) for i in graph.subjects(KG.role, KG.developer) if (i, KG.involvedIn, system) in graph}
    assert developers == {NEC}
    assert graph.value(NEC, RDFS.label) == Literal("NEC")
    assert len(set(graph.subjects(KG.claimAbout, INCIDENT))) == 6
    assert len(set(graph.objects(INCIDENT, KG.hasEvent))) == 5


def test_incident_page_shows_roles_dates_issues_timeline_and_claims(client: TestClient) -> None:
    page = _page(client, "/doc/incident/AIAAIC0288")
    words = page.words
    assert "King's Cross quietly uses live facial recognition to monitor citizens" in words
    assert "When: August 2019" in words
    involved = {(row[0], row[1], row[2]) for row in page.tables["involvements"][1:]}
    assert {("Argent", "deployer", "confirmed"), ("Metropolitan Police Service", "deployer", "alleged"),
            ("British Transport Police", "deployer", "denied"), ("NEC", "developer", "alleged"),
            ("Metropolitan Police Service", "data supplier", "confirmed")} <= involved
    assert "2016–2018 — operated (Argent)" in words
    assert "14 August 2019 — letter sent (Robert Evans)" in words
    assert "The Metropolitan Police had no involvement in the programme." in words
    assert "The Met had supplied seven images for a database used to carry out facial recognition scans." in words
    assert "Metropolitan Police Service [admission]" in words and "Metropolitan Police Service [denial]" in words
    assert {"Privacy", "Surveillance"} <= set(words.split("Ethical issues")[1].split("Transparency issues")[0].split())
    assert {"/doc/incident/AIAAIC0288?format=ttl", "/doc/incident/AIAAIC0288?format=jsonld"} <= set(page.links)
    assert {"/doc/org/nec", "/doc/org/argent", "/doc/concept/ethical-issue/privacy", "/doc/system/AIAAIC0288"} <= set(page.links)
    assert "https://www.aiaaic.org/aiaaic-repository/ai-algorithmic-and-automation-incidents/kings-cross-live-facial-recognition-trial" in page.links


def test_organisation_pages_list_incidents_by_role(client: TestClient) -> None:
    nec = _page(client, "/doc/org/nec")
    assert "developer" in nec.words.split("Incidents by role")[1]
    assert ["King's Cross quietly uses live facial recognition to monitor citizens", "King's Cross live facial recognition system",
            "alleged"] in nec.tables["roles"]
    met = _page(client, "/doc/org/metropolitan-police-service")
    assert "deployer" in met.words and "data supplier" in met.words
    assert "/doc/incident/AIAAIC0288" in met.links


def test_concept_page_lists_its_incidents(client: TestClient, store: TripleStore) -> None:
    page = _page(client, "/doc/concept/ethical-issue/privacy")
    assert "/doc/incident/AIAAIC0288" in page.links
    listed = {link for link in page.links if link.startswith("/doc/incident/")}
    tagged = store.query("SELECT ?incident ?concept WHERE { ?incident kg:ethicalIssue ?concept }", {"concept": PRIVACY})
    assert isinstance(tagged, Solutions)
    assert {"/doc/" + str(row["incident"]).removeprefix(str(ID)) for row in tagged.rows} <= listed


def test_unknown_iris_get_a_helpful_404(client: TestClient) -> None:
    page = client.get("/id/incident/AIAAIC288", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "/doc/incident/AIAAIC0288" in _Page(page.text).links  # "did you mean"
    plain = client.get("/doc/org/no-such-organisation", headers={"Accept": "text/turtle"})
    assert plain.status_code == 404 and "no-such-organisation" in plain.text
    for hostile in ("/id/incident/%3Cx%3E%20%7D", "/id/incident/a%20b", "/doc/incident/..%2F..", "/id/x"):
        assert client.get(hostile, headers={"Accept": "text/turtle"}).status_code == 404


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    head = client.head("/doc/org/nec", headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b"" and head.headers["content-type"].startswith("text/turtle")
    assert client.head("/id/org/nec", follow_redirects=False).status_code == 303


def test_nothing_acceptable_is_406(client: TestClient) -> None:
    assert client.get("/doc/org/nec", headers={"Accept": "application/sparql-results+json"}).status_code == 406
    assert client.get("/doc/org/nec?format=nonsense").status_code == 406


def test_ontology_and_terms_resolve(client: TestClient, store: TripleStore) -> None:
    index = _page(client, "/def")
    assert {"/def/Incident", "/def/Involvement", "/def/involvedIn"} <= set(index.links)
    whole = Graph().parse(data=client.get("/def", headers={"Accept": "text/turtle"}).content, format="turtle")
    assert isomorphic(whole, ontology_graph(store))
    term = _page(client, "/def/Incident")
    assert "rdfs:subClassOf risk:Incident" in term.words
    assert "/def/involvesSystem" in term.links  # a property whose domain it is
    rdf = Graph().parse(data=client.get("/def/Incident", headers={"Accept": "application/ld+json"}).content, format="json-ld")
    assert (KG.Incident, RDF.type, OWL.Class) in rdf
    assert client.get("/def/NoSuchTerm", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/def/No%20Term", headers={"Accept": BROWSER}).status_code == 404


def test_named_graphs_resolve(client: TestClient, store: TripleStore) -> None:
    name = GRAPH["curated/kings-cross/page"]
    graph = Graph().parse(data=client.get("/graph/curated/kings-cross/page?format=ttl").content, format="turtle")
    counted = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g", {"g": name})
    assert isinstance(counted, Solutions)
    assert graph.value(name, VOID.triples).toPython() == counted.rows[0]["n"].toPython()
    assert graph.value(name, DCTERMS.title) is not None
    present = store.query("ASK { GRAPH ?g { ?s ?p ?o } }", {"g": name})
    assert isinstance(present, Boolean) and present.value


def test_pages_escape_what_the_data_says() -> None:
    hostile = Ref("javascript:alert(1)", "<script>alert(1)</script>", None, "javascript:alert(2)")
    summary = Summary("https://w3id.org/ai-incidents/id/org/x", "<b>x</b>", [hostile], "<img src=x onerror=alert(3)>", [], [])
    summary.systems = [hostile]
    html = environment().get_template("resource.html").render(path="/doc/org/x", s=summary)
    assert "<script>" not in html and "<b>x</b>" not in html and "<img" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
