"""The front door: the home page's counts and charts, the browse lists (filters, CSV equal to their query), and a
journalist's task done in a browser without writing SPARQL."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import httpx
import pytest
from browser import requested_urls, serious_violations
from live_server import LiveServer
from rdflib import URIRef
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from kg.store import Solutions, TripleStore
from server.browse_jobs import bound_text
from server.jobs import pairs

ID = "https://w3id.org/ai-incidents/id/"
HTML = {"Accept": "text/html"}
UK, FACES, POLICE = ID + "concept/jurisdiction/gb", ID + "concept/technology/facial-recognition", ID + "concept/sector/govt-police"
MET = ID + "org/metropolitan-police-service"
# "Police" is AIAAIC's sector value "Govt - police" (set on the incident or its AI system); "face recognition" is
# AIAAIC's facial recognition technology of the incident's system; "UK" the jurisdiction GB or one of its nations.
UK_POLICE_FACES = f"""
SELECT DISTINCT ?incident WHERE {{
  ?incident a kg:Incident ; kg:jurisdiction ?place ; kg:involvesSystem ?system .
  ?place skos:broader* <{UK}> .
  ?system kg:technology <{FACES}> .
  {{ ?incident kg:sector <{POLICE}> }} UNION {{ ?incident kg:involvesSystem/kg:sector <{POLICE}> }}
}}"""


def _rows(store: TripleStore, text: str) -> list[dict[str, str]]:
    result = store.query(text)
    assert isinstance(result, Solutions)
    return [{k: str(v) for k, v in row.items()} for row in result.rows]


def _csv(body: str) -> list[dict[str, str]]:
    return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(io.StringIO(body))]


def _unordered(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows as sets: GROUP_CONCAT's order and the order of rows that tie on the sort keys are the engine's choice."""
    same = [{k: "; ".join(sorted(v.split("; "))) for k, v in row.items()} for row in rows]
    return sorted(same, key=lambda row: sorted(row.items()))


VIRTUOSO_BROWSE = ("browse lists on the Virtuoso backend: browse/incidents.rq's optional filters (FILTER !BOUND(?x) || "
                   "EXISTS …) give other rows there and a 400 with filters bound; not yet fixed (docs/scale-out.md)")


def _known_on_virtuoso(request: pytest.FixtureRequest, live_server: LiveServer) -> None:
    """The documented Virtuoso difference of the browse lists: the test still runs, and must fail there."""
    if live_server.backend == "virtuoso":
        request.applymarker(pytest.mark.xfail(reason=VIRTUOSO_BROWSE, strict=False))


def test_home_page_says_what_the_graph_holds(live_server: LiveServer, store: TripleStore) -> None:
    page = httpx.get(live_server.url + "/", headers=HTML, timeout=60)
    assert page.status_code == 200 and 'action="/search"' in page.text and 'name="q"' in page.text
    for row in _rows(store, "SELECT ?database (COUNT(DISTINCT ?i) AS ?n) WHERE { GRAPH ?g { ?i a kg:Incident } "
                            "?g prov:wasDerivedFrom/schema:publisher/rdfs:label ?database } GROUP BY ?database"):
        assert f"<td>{row['database']}</td><td>{row['n']}</td>" in page.text
    organisations = _rows(store, "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?o a kg:Organisation }")[0]["n"]
    assert f"<strong>{organisations}</strong> organisations" in page.text
    assert page.text.count("The SPARQL behind this") >= 6 and 'data-code="gb"' in page.text
    assert "<title id=\"map-title\">" in page.text


@pytest.mark.parametrize("about, filters", [(MET, {}), (UK, {"technology": FACES, "sector": POLICE}), (FACES, {})])
def test_the_csv_has_the_rows_of_its_query(live_server: LiveServer, store: TripleStore, about: str,
                                           filters: dict[str, str], request: pytest.FixtureRequest) -> None:
    _known_on_virtuoso(request, live_server)
    answer = httpx.get(live_server.url + "/browse/incidents.csv", params={"about": about, **filters}, timeout=60)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    bound = {name: URIRef(value) for name, value in {"about": about, **filters}.items()}
    expected = _rows(store, bound_text("browse/incidents", pairs(bound)))
    assert expected and _unordered(_csv(answer.text)) == _unordered(expected)


def test_face_recognition_concepts_reach_each_other(live_server: LiveServer) -> None:
    faces = httpx.get(live_server.url + "/doc/concept/technology/facial-recognition", headers=HTML, timeout=60).text
    goal = httpx.get(live_server.url + "/doc/concept/gmf-ai-goal/face-recognition", headers=HTML, timeout=60).text
    assert 'href="/doc/concept/gmf-ai-goal/face-recognition"' in faces
    assert 'href="/doc/concept/technology/facial-recognition"' in goal


def test_a_journalist_finds_uk_police_face_recognition(browser, live_server: LiveServer, store: TripleStore,
                                                       artefacts: Path, backend, request: pytest.FixtureRequest) -> None:
    _known_on_virtuoso(request, live_server)
    requested_urls(browser)
    browser.get(live_server.url + "/")
    browser.save_screenshot(str(artefacts / f"home-{backend.name}.png"))
    assert not serious_violations(browser)
    browser.find_element(By.CSS_SELECTOR, 'a path[data-code="gb"]').find_element(By.XPATH, "..").click()  # 1
    Select(browser.find_element(By.ID, "filter-technology")).select_by_value(FACES)  # 2 (applies on change)
    Select(browser.find_element(By.ID, "filter-sector")).select_by_value(POLICE)  # 3
    browser.save_screenshot(str(artefacts / f"concept-{backend.name}.png"))
    assert not serious_violations(browser)
    link = browser.find_element(By.ID, "download-csv").get_attribute("href")  # 4: the download
    assert link
    rows = _csv(httpx.get(link, timeout=60).text)
    expected = {row["incident"] for row in _rows(store, UK_POLICE_FACES)}
    assert expected and {row["incident"] for row in rows} == expected and len(rows) == len(expected)
    outside = [url for url in requested_urls(browser) if not url.startswith((live_server.url + "/", "data:", "about:"))]
    assert outside == []


def test_the_met_police_incidents_per_year(browser, live_server: LiveServer, store: TripleStore, artefacts: Path,
                                           backend) -> None:
    requested_urls(browser)
    browser.get(live_server.url + "/doc/org/metropolitan-police-service")
    browser.save_screenshot(str(artefacts / f"organisation-{backend.name}.png"))
    shown = {g.get_attribute("data-year"): int(g.get_attribute("data-total") or 0)
             for g in browser.find_elements(By.CSS_SELECTOR, "#per-year-title ~ g.year, svg.years g.year")}
    expected = {row["year"]: int(row["n"]) for row in _rows(store, f"""
        SELECT ?year (COUNT(DISTINCT ?incident) AS ?n) WHERE {{
          {{ SELECT ?incident (MIN(SUBSTR(STR(?when), 1, 4)) AS ?year) WHERE {{
            ?involvement kg:agent <{MET}> ; kg:involvedIn ?target .
            {{ ?target a kg:Incident . BIND (?target AS ?incident) }} UNION {{ ?incident kg:involvesSystem ?target }}
            ?incident a kg:Incident .
            {{ ?incident kg:occurred ?when }} UNION {{ ?incident kg:occurredFrom ?when }}
          }} GROUP BY ?incident }}
        }} GROUP BY ?year""")}
    assert expected and shown == expected
    assert not serious_violations(browser)
    outside = [url for url in requested_urls(browser) if not url.startswith((live_server.url + "/", "data:", "about:"))]
    assert outside == []


@pytest.mark.parametrize("scheme, nested", [("technologies", None), ("jurisdictions", ("gb", "gb-sct"))])
def test_a_scheme_page_lists_its_concepts_with_their_incidents(live_server: LiveServer, store: TripleStore, scheme: str,
                                                               nested: tuple[str, str] | None,
                                                               request: pytest.FixtureRequest) -> None:
    if scheme == "technologies":  # Virtuoso takes over the time limit to count them (documented in docs/scale-out.md)
        _known_on_virtuoso(request, live_server)
    page = httpx.get(f"{live_server.url}/def/{scheme}", headers=HTML, timeout=60)
    assert page.status_code == 200
    concepts = _rows(store, f"SELECT ?c WHERE {{ ?c skos:inScheme <https://w3id.org/ai-incidents/def/{scheme}> }}")
    listed = page.text.split('<h2 id="concepts">', 1)[1]
    assert concepts and listed.count('<li><a href="/doc/concept/') == len(concepts)
    # each concept's count, asked here in a query of its own: incidents that name it, or whose AI system does
    for row in concepts[:: max(1, len(concepts) // 12)]:
        concept = row["c"]
        counted = _rows(store, f"SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE {{ ?i a kg:Incident . "
                               f"{{ ?i ?p <{concept}> }} UNION {{ ?i kg:involvesSystem ?s . ?s ?q <{concept}> }} }}")[0]["n"]
        path, number = concept.split("/id/", 1)[1], int(counted)
        shown = rf'<a href="/doc/{re.escape(path)}">[^<]*</a> <span class="meta">{number} incidents?</span>'
        assert re.search(shown, listed), (concept, number)
    if nested:  # a narrower concept is listed inside its broader one's item
        parent, child = nested
        item = listed.split(f'<a href="/doc/concept/jurisdiction/{parent}">', 1)[1]
        assert item.index(f'/doc/concept/jurisdiction/{child}"') < item.index("</ul>")
