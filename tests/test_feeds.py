"""Atom feeds of a release's changes: a real feed parser reads them without complaint, they have what RFC 4287
requires, and a feed about a country or an organisation holds exactly the changed incidents SPARQL says are
about it."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import feedparser
import pytest
from lxml import etree
from rdflib import URIRef

from kg.build import BuildResult
from kg.errors import DataSyntaxError
from kg.feeds import ATOM, atom_feed, read_changelog
from kg.namespaces import ID
from kg.release import Changes, changelog
from kg.store import EmbeddedStore

pytestmark = pytest.mark.slow
GB = str(ID["concept/jurisdiction/gb"])
MET = str(ID["org/metropolitan-police-service"])
RELEASED = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
A = f"{{{ATOM}}}"


@pytest.fixture(scope="module")
def graph(built: BuildResult) -> EmbeddedStore:
    return EmbeddedStore.open_build(built.location)


@pytest.fixture(scope="module")
def changed(graph: EmbeddedStore) -> list[str]:
    """A changelog's incidents: every 7th incident of the graph, and all of the Met's."""
    rows = graph.query("SELECT ?incident WHERE { ?incident a kg:Incident } ORDER BY ?incident").rows
    return sorted({str(r["incident"]) for r in rows[::7]} | met_incidents(graph))


def met_incidents(graph: EmbeddedStore) -> set[str]:
    rows = graph.query("SELECT DISTINCT ?met ?incident WHERE { ?involvement kg:agent ?met ; kg:involvedIn ?target . "
                       "{ ?target a kg:Incident BIND (?target AS ?incident) } UNION { ?incident kg:involvesSystem ?target } }",
                       {"met": URIRef(MET)}).rows
    return {str(r["incident"]) for r in rows}


def feed(graph: EmbeddedStore, changed: list[str], about: str | None = None, limit: int = 1000) -> str:
    text = changelog("2026-12-01", 1234, Changes("2026-11-01", 40, 2, changed))
    return atom_feed(graph, read_changelog(text), self_url="http://127.0.0.1:8000/feeds/changes.atom",
                     site_url="http://127.0.0.1:8000/", updated=RELEASED, about=about, limit=limit)


def check_rfc4287(document: str) -> etree._Element:
    """What RFC 4287 section 4 requires of a feed and its entries (the elements this project writes)."""
    root = etree.fromstring(document.encode("utf-8"))
    assert root.tag == f"{A}feed"
    for element in [root, *root.findall(f"{A}entry")]:
        for required in ("id", "title", "updated"):
            assert len(element.findall(f"{A}{required}")) == 1, (element.tag, required)
        assert RFC3339.fullmatch(element.findtext(f"{A}updated") or "")
        assert re.match(r"[a-z][a-z0-9+.-]*:", element.findtext(f"{A}id") or "")
        alternates = [(l.get("type"), l.get("hreflang")) for l in element.findall(f"{A}link") if l.get("rel", "alternate") == "alternate"]
        assert len(alternates) == len(set(alternates))
    assert root.find(f"{A}author/{A}name") is not None  # so no entry needs its own author
    assert root.find(f"{A}link[@rel='self']") is not None
    return root


def test_the_whole_graph_feed_parses_cleanly_and_lists_every_changed_incident(graph: EmbeddedStore, changed: list[str]) -> None:
    document = feed(graph, changed)
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0, parsed.get("bozo_exception") and parsed.version == "atom10"
    assert parsed.version == "atom10"
    assert [e.link for e in parsed.entries] == changed
    check_rfc4287(document)


def test_a_feed_about_a_country_holds_the_changed_incidents_in_that_country(graph: EmbeddedStore, changed: list[str]) -> None:
    uk = {str(r["incident"]) for r in graph.query("SELECT ?gb ?incident WHERE { ?incident kg:jurisdiction ?gb }",
                                                   {"gb": URIRef(GB)}).rows}
    parsed = feedparser.parse(feed(graph, changed, about=GB))
    assert parsed.bozo == 0 and {e.link for e in parsed.entries} == uk & set(changed) != set()


def test_a_feed_about_an_organisation_holds_its_changed_incidents(graph: EmbeddedStore, changed: list[str]) -> None:
    document = feed(graph, changed, about=MET)
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0 and {e.link for e in parsed.entries} == met_incidents(graph) != set()
    check_rfc4287(document)


def test_the_feed_is_capped(graph: EmbeddedStore, changed: list[str]) -> None:
    assert len(feedparser.parse(feed(graph, changed, limit=5)).entries) == 5


def test_a_file_that_is_no_changelog_is_refused() -> None:
    with pytest.raises(DataSyntaxError, match="Release"):
        read_changelog("hello")


def test_a_feed_with_entries_validates_against_the_rfc_4287_schema(graph: EmbeddedStore, changed: list[str]) -> None:
    from test_feeds_http import atom_schema

    schema = atom_schema()
    for about in (None, MET):
        document = etree.fromstring(feed(graph, changed, about=about).encode("utf-8"))
        assert document.findall(f"{A}entry") and schema.validate(document), schema.error_log
