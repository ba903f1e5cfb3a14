"""The Atom feeds a live server offers validate against RFC 4287's RELAX NG schema (Appendix B, in
tests/data/atom/rfc4287.rnc, converted with rnc2rng) with lxml, parse with feedparser, hold the changelog's incidents,
and are linked from the pages they are about."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import feedparser
import httpx
import pytest
import rnc2rng
from live_server import LiveServer
from lxml import etree, html

from kg.feeds import read_changelog

SCHEMA = Path(__file__).resolve().parent / "data" / "atom" / "rfc4287.rnc"
FEEDS = ("/feeds/incidents.atom", "/feeds/org/nec.atom", "/feeds/org/metropolitan-police-service.atom",
         "/feeds/concept/jurisdiction/gb.atom", "/feeds/concept/ethical-issue/privacy.atom")


@lru_cache(maxsize=1)
def atom_schema() -> etree.RelaxNG:
    """RFC 4287's schema in XML syntax; rnc2rng declares the compact syntax's ``local = ""`` as an empty prefix,
    which XML namespaces forbid, and which the schema never uses as a prefix (``local:*`` becomes ``ns=""``)."""
    text = rnc2rng.dumps(rnc2rng.load(str(SCHEMA))).replace('xmlns:local=""', "")
    return etree.RelaxNG(etree.fromstring(text.encode("utf-8")))


def test_the_schema_refuses_what_rfc_4287_refuses() -> None:
    feed = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>2026-12-01T00:00:00Z</updated></feed>'
    assert not atom_schema().validate(etree.fromstring(feed))  # no atom:id


@pytest.mark.parametrize("path", FEEDS)
def test_each_feed_validates_and_holds_the_changelog_incidents(live_server: LiveServer, path: str) -> None:
    response = httpx.get(live_server.url + path, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    document = etree.fromstring(response.content)
    schema = atom_schema()
    assert schema.validate(document), schema.error_log
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0 and parsed.version == "atom10"
    changes = read_changelog(httpx.get(live_server.url + "/dumps/CHANGELOG.md", timeout=60).text)
    links = [e.link for e in parsed.entries]
    if path == FEEDS[0]:
        assert links == sorted(changes.incidents)
    assert set(links) <= set(changes.incidents)
    assert changes.version in parsed.feed.title


@pytest.mark.parametrize(("page", "feed"), [("/doc/org/nec", FEEDS[1]), ("/doc/concept/jurisdiction/gb", FEEDS[3]),
                                            ("/doc/incident/AIAAIC0288", FEEDS[0]), ("/dumps/", FEEDS[0])])
def test_pages_link_to_their_feed(live_server: LiveServer, page: str, feed: str) -> None:
    response = httpx.get(live_server.url + page, headers={"Accept": "text/html"}, timeout=60)
    head = html.fromstring(response.text).find("head")
    assert feed in [link.get("href") for link in head.findall("link") if link.get("type") == "application/atom+xml"]


def test_a_feed_about_nothing_known_is_404(live_server: LiveServer) -> None:
    assert httpx.get(live_server.url + "/feeds/org/no-such-organisation-here.atom", timeout=60).status_code == 404
    assert httpx.get(live_server.url + "/feeds/incident/AIAAIC0288.atom", timeout=60).status_code == 404
