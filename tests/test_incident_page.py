"""The incident page through a live server: each involvement once with its sources, one When, what AI it was, the
same incident in other databases, and a Cite block whose BibTeX, RIS and CSL-JSON parse and download; in Chromium,
nothing is fetched from elsewhere and axe-core finds no serious violation. Expectations are read from the store."""

from __future__ import annotations

import json
from collections import defaultdict

import bibtexparser
import httpx
import pytest
from browser import requested_urls, serious_violations
from live_server import LiveServer
from lxml import html
from rdflib import Literal, URIRef
from selenium.webdriver.common.by import By

from kg.namespaces import ID
from kg.store import Solutions, TripleStore

KEY = "AIAAIC0288"
INCIDENT = ID[f"incident/{KEY}"]
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def _rows(store: TripleStore, text: str, **bindings: URIRef | Literal) -> list[dict[str, str]]:
    result = store.query(text, bindings)
    assert isinstance(result, Solutions)
    return [{k: str(v) for k, v in row.items()} for row in result.rows]


def _page(server: LiveServer, key: str = KEY) -> html.HtmlElement:
    response = httpx.get(f"{server.url}/doc/incident/{key}", headers={"Accept": BROWSER}, timeout=60)
    assert response.status_code == 200, response.text
    return html.fromstring(response.text)


def _text(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_each_involvement_is_one_row_with_its_sources(live_server: LiveServer, store: TripleStore) -> None:
    stated = _rows(store, "SELECT ?incident ?name ?role ?source WHERE { ?incident kg:involvesSystem ?system . "
                          "?i kg:involvedIn ?system ; kg:agent/rdfs:label ?name ; kg:role/skos:prefLabel ?role ; kg:source ?source }",
                   incident=INCIDENT)
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in stated:
        sources[(row["name"], row["role"])].add(row["source"])
    assert max(len(s) for s in sources.values()) > 1, "the seed case has involvements stated by several sources"
    rows = _page(live_server).xpath("//table[@class='involvements']/tbody/tr")
    shown = [(_text(r[0]), _text(r[1])) for r in rows]
    assert sorted(shown) == sorted(sources), "one row per agent and role"
    for row in rows:
        links = len(row[4].xpath(".//ul[@class='sources']/li"))
        assert links == len(sources[(_text(row[0]), _text(row[1]))])
        assert row[0].xpath(".//a")[0].get("href").startswith("/doc/")


def test_one_when_technology_and_databases_are_shown(live_server: LiveServer, store: TripleStore) -> None:
    page = _page(live_server)
    whens = [_text(p) for p in page.xpath("//p[@class='when']")]
    assert whens == ["When: August 2019"] and "2019 · " not in _text(page)
    profile = {_text(dt): _text(dd) for dt, dd in zip(page.xpath("//dl[@class='profile']/dt"), page.xpath("//dl[@class='profile']/dd"))}
    technologies = {r["label"] for r in _rows(store, "SELECT ?incident ?label WHERE { ?incident kg:involvesSystem/kg:technology/skos:prefLabel ?label }",
                                              incident=INCIDENT)}
    assert technologies and all(t in profile["Technology"] for t in technologies)
    databases = {r["label"] for r in _rows(store, "SELECT ?incident ?label WHERE { GRAPH ?g { ?incident a kg:Incident } "
                                                  "?g prov:wasDerivedFrom/schema:publisher/rdfs:label ?label }", incident=INCIDENT)}
    assert databases and all(d in _text(page.xpath("//section[@class='databases']")[0]) for d in databases)


def test_other_databases_are_linked_near_the_top(live_server: LiveServer, store: TripleStore) -> None:
    row = _rows(store, "SELECT ?prefix ?a ?b WHERE { ?a skos:exactMatch ?b . ?a a kg:Incident . ?b a kg:Incident "
                       "FILTER (STRSTARTS(STR(?a), ?prefix)) } ORDER BY ?a LIMIT 1", prefix=Literal(f"{ID}incident/AIAAIC"))[0]
    page = _page(live_server, row["a"].rsplit("/", 1)[-1])
    section = page.xpath("//section[@class='databases']")[0]
    assert "/doc/incident/" + row["b"].rsplit("/", 1)[-1] in [a.get("href") for a in section.xpath(".//a")]
    headings = [_text(h) for h in page.xpath("//h2")]
    assert headings.index("In the incident databases") < headings.index("Who was involved")


def test_the_cite_block_parses_and_downloads(live_server: LiveServer) -> None:
    page = _page(live_server)
    blocks = {p.get("data-format"): p.text_content() for p in page.xpath("//section[@class='cite']//pre[@class='citation']")}
    library = bibtexparser.parse_string(blocks["BibTeX"])
    assert library.failed_blocks == [] and [e.key for e in library.entries] == [KEY]
    assert library.entries[0].fields_dict["url"].value == str(INCIDENT)
    lines = blocks["RIS"].strip("\r\n").splitlines()
    assert lines[0].startswith("TY  - ") and lines[-1].startswith("ER  -")
    item = json.loads(blocks["CSL-JSON"])[0]
    assert item["URL"] == str(INCIDENT) and item["accessed"]["date-parts"]
    for extension, media in (("bib", "application/x-bibtex"), ("ris", "application/x-research-info-systems"),
                             ("json", "application/vnd.citationstyles.csl+json")):
        response = httpx.get(f"{live_server.url}/cite/incident/{KEY}.{extension}", timeout=60)
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert str(INCIDENT) in response.text
    assert httpx.get(f"{live_server.url}/cite/incident/NOPE0000.bib", timeout=60).status_code == 404


def test_what_links_here_is_labelled_and_grouped(live_server: LiveServer, store: TripleStore) -> None:
    claims = {r["text"] for r in _rows(store, "SELECT ?incident ?text WHERE { ?c kg:claimAbout ?incident ; kg:claimText ?text }",
                                       incident=INCIDENT)}
    page = _page(live_server)
    kinds = [_text(h) for h in page.xpath("//h2[.='What links here']/following-sibling::h3")]
    assert f"Claim ({len(claims)})" in kinds
    assert all("AIAAIC0288-" not in _text(li) for li in page.xpath("//ul[@class='referrers']/li"))


def test_the_incident_page_in_a_browser(browser, live_server: LiveServer, artefacts) -> None:  # type: ignore[no-untyped-def]
    if live_server.backend != "embedded":
        pytest.skip("the page is the same on both backends; the browser runs once")
    browser.get_log("performance")
    browser.get(f"{live_server.url}/doc/incident/{KEY}")
    assert browser.find_element(By.CSS_SELECTOR, "section.cite pre.citation").text.startswith("@misc{")
    browser.save_screenshot(str(artefacts / "incident-AIAAIC0288.png"))
    urls = requested_urls(browser)
    assert urls and all(u.startswith(live_server.url) or u.startswith("data:") for u in urls), urls
    assert serious_violations(browser) == []
