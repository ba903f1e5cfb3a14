"""How values read to people: dates at their precision, the best label of a resource, compact IRIs, safe links."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.namespaces import KG, PREFIXES, SCHEMA

LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name)
"""Label properties, best first."""

SHORT = 80
"""Longest text used as a label (a claim's or an event's words stand in for a missing label)."""

_DATE = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?")


def format_date(value: Node) -> str:
    """A date at the precision it was stated: a year, a month and year, or a day.

    >>> format_date(Literal("2019", datatype=XSD.gYear)), format_date(Literal("2019-08", datatype=XSD.gYearMonth))
    ('2019', 'August 2019')
    >>> format_date(Literal("2019-08-14", datatype=XSD.date))
    '14 August 2019'
    """
    text = str(value)
    match = _DATE.match(text)
    if not isinstance(value, Literal) or match is None:
        return text
    year, month, day = match.groups()
    if value.datatype == XSD.gYear or month is None:
        return year
    month_name = calendar.month_name[int(month)] if 1 <= int(month) <= 12 else month
    if value.datatype == XSD.gYearMonth or day is None:
        return f"{month_name} {year}"
    return f"{int(day)} {month_name} {year}"


def format_span(start: Node | None, end: Node | None) -> str:
    """A closed or open interval of dates, each at its precision.

    >>> format_span(Literal("2016", datatype=XSD.gYear), Literal("2018", datatype=XSD.gYear))
    '2016–2018'
    >>> format_span(Literal("2016", datatype=XSD.gYear), None)
    'from 2016'
    """
    if start is not None and end is not None:
        return f"{format_date(start)}–{format_date(end)}"
    if start is not None:
        return f"from {format_date(start)}"
    if end is not None:
        return f"until {format_date(end)}"
    return ""


def sort_key(value: Node | None) -> str:
    """A key that orders dates of any precision chronologically (unknown dates last)."""
    return str(value) if value is not None else "~"


def best_literal(values: list[Node], lang: str = "en") -> Literal | None:
    """The literal to show: in ``lang``, else without a language, else any; the shortest first among equals."""
    literals = [v for v in values if isinstance(v, Literal)]
    if not literals:
        return None
    return min(literals, key=lambda v: (v.language != lang, v.language is not None, len(v), str(v)))


def label(graph: Graph, node: Node) -> str:
    """The label of ``node`` in ``graph``; for an IRI without one, its compact form or last path segment.

    >>> label(Graph(), URIRef("https://w3id.org/ai-incidents/id/org/nec")), label(Graph(), URIRef("https://w3id.org/dpv/risk#Incident"))
    ('nec', 'risk:Incident')
    """
    if isinstance(node, Literal):
        return str(node)
    for prop in LABELS:
        found = best_literal(list(graph.objects(node, prop)))
        if found is not None:
            return str(found)
    for prop in (KG.claimText, DCTERMS.description):
        text = best_literal(list(graph.objects(node, prop)))
        if text is not None:
            return str(text) if len(text) <= SHORT else str(text)[: SHORT - 1].rstrip() + "…"
    compact = curie(node)
    if compact != str(node):
        return compact
    return str(node).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def curie(iri: URIRef | str) -> str:
    """The compact form of an IRI under our prefixes, or the IRI itself.

    >>> curie("http://purl.org/dc/terms/title"), curie("http://example.org/x")
    ('dct:title', 'http://example.org/x')
    """
    text = str(iri)
    for name, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        if text.startswith(namespace) and "/" not in text[len(namespace) :]:
            return f"{name}:{text[len(namespace):]}"
    return text


@dataclass(frozen=True)
class Ref:
    """A resource as a link: its IRI, its label, and where it is served here (None: elsewhere)."""

    iri: str
    label: str
    path: str | None = None
    url: str | None = None
    """Where the resource itself is on the web (a source's ``schema:url``), when the graph says."""

    @property
    def href(self) -> str | None:
        """Where a link to it goes: our page, else the IRI itself if it is a web address (never ``javascript:``)."""
        return self.path or _web(self.iri)

    @property
    def web(self) -> str | None:
        """Its ``url`` if that is a web address."""
        return _web(self.url)


def _web(address: str | None) -> str | None:
    """``address`` if it is an http(s) URL, else None (so that data never puts a script in a link).

    >>> _web("https://example.org/a"), _web("javascript:alert(1)")
    ('https://example.org/a', None)
    """
    return address if address and address.lower().startswith(("http://", "https://")) else None
