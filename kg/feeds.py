"""Atom feeds (RFC 4287) of what changed in a release, read from its changelog: for the whole graph, or for the
incidents about one organisation, concept or country; the incidents' titles and dates read with ``.rq`` files.

>>> changes = read_changelog("# Release 2026-12-01\\n\\nSince 2026-11-01: 3 triples added, 1 removed.\\n\\n"
...                          "Incidents whose own statements changed (1):\\n- <https://w3id.org/ai-incidents/id/incident/X>\\n")
>>> changes.version, changes.previous, changes.incidents
('2026-12-01', '2026-11-01', ('https://w3id.org/ai-incidents/id/incident/X',))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote
from xml.etree import ElementTree as ET

from rdflib import URIRef

from kg import queries
from kg.errors import DataSyntaxError
from kg.store import Solutions, TripleStore

ATOM = "http://www.w3.org/2005/Atom"
TITLE = "AI Incidents knowledge graph"
MAX_ENTRIES = 200
_VERSION = re.compile(r"^# Release (\S+)$", re.M)
_PREVIOUS = re.compile(r"^Since (\S+): (\d+) triples added, (\d+) removed\.$", re.M)
_INCIDENT = re.compile(r"^- <([^>\s]+)>$", re.M)


@dataclass(frozen=True)
class ReleaseChanges:
    """What a release's changelog says: its version, the release it was compared with, the changed incidents."""

    version: str
    previous: str | None
    added: int
    removed: int
    incidents: tuple[str, ...]


def read_changelog(text: str) -> ReleaseChanges:
    """Parse the CHANGELOG.md that ``kg release`` writes (kg.release.changelog)."""
    version = _VERSION.search(text)
    if version is None:
        raise DataSyntaxError("CHANGELOG.md", None, "no '# Release <version>' line: not a changelog kg release wrote")
    since = _PREVIOUS.search(text)
    return ReleaseChanges(version.group(1), since.group(1) if since else None,
                          int(since.group(2)) if since else 0, int(since.group(3)) if since else 0,
                          tuple(_INCIDENT.findall(text)))


def _rows(store: TripleStore, name: str, **bindings: str) -> list[dict[str, str]]:
    result = store.query(queries.load(name), {key: URIRef(value) for key, value in bindings.items()})
    assert isinstance(result, Solutions)
    return [{key: str(value) for key, value in row.items()} for row in result.rows]


def incidents_about(store: TripleStore, about: str) -> set[str]:
    """The incidents about an organisation, concept or country (feed-about.rq)."""
    return {row["incident"] for row in _rows(store, "feed-about", about=about)}


def label_of(store: TripleStore, about: str) -> str | None:
    """The name of what a feed is about (feed-label.rq): the English or untagged label first, else any."""
    result = store.query(queries.load("feed-label"), {"about": URIRef(about)})
    assert isinstance(result, Solutions)
    labels = [row["label"] for row in result.rows]
    best = sorted(labels, key=lambda l: (getattr(l, "language", None) not in ("en", None), len(str(l)), str(l)))
    return str(best[0]) if best else None


def _entry_facts(store: TripleStore, incident: str) -> dict[str, list[str]]:
    facts: dict[str, list[str]] = {}
    for row in _rows(store, "feed-entry", incident=incident):
        facts.setdefault(row["field"], []).append(row["value"])
    return facts


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def atom_feed(store: TripleStore, changes: ReleaseChanges, *, self_url: str, site_url: str, updated: datetime,
              about: str | None = None, about_label: str | None = None, limit: int = MAX_ENTRIES) -> str:
    """The Atom document of the incidents new or changed in ``changes`` (only those about ``about`` when given).

    ``self_url`` is where the feed is served (also its id: stable across releases); ``site_url`` the site's home.
    At most ``limit`` entries, in identifier order; entries are dated by the release (``updated``, timezone-aware).
    """
    if updated.tzinfo is None:
        raise ValueError("feed: 'updated' needs a timezone")
    stamp = updated.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
    incidents = sorted(set(changes.incidents) & incidents_about(store, about)) if about else sorted(changes.incidents)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    scope = f" about {about_label or about}" if about else ""
    _text(feed, "id", self_url)
    _text(feed, "title", f"{TITLE}: incidents new or changed in release {changes.version}{scope}")
    _text(feed, "updated", stamp)
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", TITLE)
    _text(author, "uri", site_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=self_url)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=site_url)
    since = f"since release {changes.previous}" if changes.previous else "in the first release"
    _text(feed, "subtitle", f"{len(incidents)} incident(s){scope} whose statements changed {since} "
                            f"({changes.added} triples added, {changes.removed} removed in the whole graph).")
    for incident in incidents[:limit]:
        facts = _entry_facts(store, incident)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        identifier = min(facts.get("identifier", [incident.rsplit("/", 1)[-1]]))
        _text(entry, "id", f"{incident}#release-{quote(changes.version)}")
        _text(entry, "title", f"{identifier}: {min(facts.get('title', [identifier]))}")
        _text(entry, "updated", stamp)
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=incident)
        dates = sorted(facts.get("date", []), key=lambda d: (-len(d), d))
        when = f"Occurred {dates[0]}. " if dates else ""
        description = min(facts.get("description", [""]), key=len)
        _text(entry, "summary", f"{when}New or changed in release {changes.version}. {description}".strip())
    ET.indent(feed)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
