"""Content negotiation: an ``Accept`` header (with q-values) or a ``format=`` parameter -> the media type to send.

Query results come in three kinds, each with the media types the engine writes, in our order of preference:
``solutions`` (SELECT), ``boolean`` (ASK) and ``graph`` (CONSTRUCT, DESCRIBE, the service description).
The kind of a query's result is known only once it runs, so :func:`negotiate` answers for every kind at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from server.refusals import BadRequest, NotAcceptable

SPARQL_JSON = "application/sparql-results+json"
SPARQL_XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
NQUADS = "application/n-quads"
TRIG = "application/trig"
HTML = "text/html"

OFFERS: dict[str, tuple[str, ...]] = {
    "solutions": (SPARQL_JSON, SPARQL_XML, CSV, TSV),
    "boolean": (SPARQL_JSON, SPARQL_XML, CSV, TSV),
    "graph": (TURTLE, NTRIPLES, JSONLD, RDFXML, NQUADS, TRIG),
}
"""What we can send for each kind of result, best first (the first is the default for ``*/*``); an ASK answers in
CSV/TSV too (the protocol allows it, SPARQLWrapper asks it: the one line ``true`` or ``false``)."""

ALIASES: dict[str, dict[str, str]] = {
    "application/json": {"solutions": SPARQL_JSON, "boolean": SPARQL_JSON, "graph": JSONLD},
    "application/xml": {"solutions": SPARQL_XML, "boolean": SPARQL_XML, "graph": RDFXML},
    "text/xml": {"solutions": SPARQL_XML, "boolean": SPARQL_XML, "graph": RDFXML},
    "text/plain": {"graph": NTRIPLES},
    "application/x-turtle": {"graph": TURTLE},
}
"""Media types clients often send for ours; we answer with the registered type."""

FORMATS: dict[str, dict[str, str]] = {
    "json": ALIASES["application/json"],
    "xml": ALIASES["application/xml"],
    "csv": {"solutions": CSV, "boolean": CSV},
    "tsv": {"solutions": TSV, "boolean": TSV},
    "turtle": {"graph": TURTLE},
    "ttl": {"graph": TURTLE},
    "ntriples": {"graph": NTRIPLES},
    "nt": {"graph": NTRIPLES},
    "jsonld": {"graph": JSONLD},
    "rdfxml": {"graph": RDFXML},
    "nquads": {"graph": NQUADS},
    "nq": {"graph": NQUADS},
    "trig": {"graph": TRIG},
    "json-ld": {"graph": JSONLD},
    "rdf+xml": {"graph": RDFXML},
    "rdf": {"graph": RDFXML},
    "n3": {"graph": TURTLE},
}
"""Short names for ``format=`` (links and downloads, and the names SPARQLWrapper sends: ``json-ld``, ``rdf+xml``,
``rdf``, ``n3``; Turtle is N3); a full media type is accepted too."""

GRAPH_DEFAULT = RDFXML
"""What a graph query answers when Accept names only SPARQL result types: HTTP lets a server send a default rather
than 406. roqet asks every query for ``application/sparql-results+xml`` and reads every answer with an XML parser;
RDF/XML is the RDF it can read without error (docs/clients.md)."""


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 2 exact, 1 ``type/*``, 0 ``*/*``, -1 not at all."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header; parameters other than ``q`` are ignored; bad entries skipped.

    >>> parse_accept("text/csv;q=0.5, application/json")
    [MediaRange(type='text', subtype='csv', q=0.5), MediaRange(type='application', subtype='json', q=1.0)]
    """
    ranges: list[MediaRange] = []
    for entry in (header or "").split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q))
    return ranges


def _quality(ranges: list[MediaRange], media_type: str) -> float:
    """The q of the most specific range matching ``media_type`` (0 when none does)."""
    best = max(((r.matches(media_type), r.q) for r in ranges), default=(-1, 0.0))
    return best[1] if best[0] >= 0 else 0.0


def _pick(ranges: list[MediaRange], kind: str) -> str | None:
    """Our best media type for ``kind`` under ``ranges``, honouring aliases; None if nothing is acceptable."""
    scored: list[tuple[float, int, str]] = []
    for order, offer in enumerate(OFFERS[kind]):
        scored.append((_quality(ranges, offer), -order, offer))
    for alias, targets in ALIASES.items():
        if kind in targets:
            exact = [r.q for r in ranges if r.matches(alias) == 2]
            if exact:
                scored.append((max(exact), -OFFERS[kind].index(targets[kind]), targets[kind]))
    q, _, offer = max(scored)
    return offer if q > 0 else None


def negotiate(accept: str | None, format_name: str | None = None) -> dict[str, str]:
    """The media type to send for each kind of result; kinds with nothing acceptable are left out.

    A ``format=`` value (short name or media type) takes precedence over ``Accept`` for the kinds it names; no
    Accept means ``*/*``. A graph query asked only for SPARQL results gets :data:`GRAPH_DEFAULT`.
    Raises NotAcceptable when no kind can be served.

    >>> negotiate("text/csv, application/sparql-results+xml;q=0.9")
    {'solutions': 'text/csv', 'boolean': 'text/csv', 'graph': 'application/rdf+xml'}
    >>> negotiate(None, "json")["graph"]
    'application/ld+json'
    """
    return dict(_negotiate(accept, format_name))


@lru_cache(maxsize=512)
def _negotiate(accept: str | None, format_name: str | None) -> dict[str, str]:
    """:func:`negotiate`, remembered: clients send the same few Accept headers again and again (never mutate).

    ``format=`` decides the kinds it names; the other kinds (and every kind, when the name is unknown) are taken
    from an Accept header the client sent, so that a client sending both (SPARQLWrapper does) gets what it accepts.
    """
    by_accept = _by_accept(accept) if accept and accept.strip() else {}
    if format_name:
        wanted = format_kinds(format_name)
        if not wanted and not _names_a_type(accept):
            known = ", ".join(FORMATS)
            raise NotAcceptable(f"unknown format '{format_name}': use one of {known}, or a media type")
        return {**by_accept, **wanted}
    chosen = by_accept if accept and accept.strip() else _by_accept("*/*")
    if not chosen:
        offered = ", ".join(sorted({m for offers in OFFERS.values() for m in offers}))
        raise NotAcceptable(f"none of the media types in Accept: {accept} can be served; we offer {offered}")
    return chosen


def document_type(accept: str | None, format_name: str | None = None) -> str | None:
    """The RDF media type of a Linked Data document: as :func:`negotiate` chooses for a graph, without the
    SPARQL-results fallback (a document is not a query result: Accept naming only result types is 406 there).

    >>> document_type("application/sparql-results+json") is None, document_type("text/turtle")
    (True, 'text/turtle')
    """
    chosen = negotiate(accept, format_name).get("graph")
    fallback = chosen == GRAPH_DEFAULT and not format_name and accept and accept.strip()
    if fallback and _pick(parse_accept(accept), "graph") is None:  # type: ignore[arg-type]
        return None
    return chosen


def _by_accept(accept: str) -> dict[str, str]:
    """The media type Accept chooses for each kind; a graph gets :data:`GRAPH_DEFAULT` when Accept names a SPARQL
    result type and no RDF type we write."""
    ranges = parse_accept(accept)
    chosen = {kind: media for kind in OFFERS if (media := _pick(ranges, kind))}
    if "graph" not in chosen and any(r.q > 0 and r.matches(m) == 2 for r in ranges for m in (SPARQL_XML, SPARQL_JSON)):
        chosen["graph"] = GRAPH_DEFAULT
    return chosen


def _names_a_type(accept: str | None) -> bool:
    """Whether Accept names a media type we write (not only wildcards): then it is the client's real choice."""
    ranges = parse_accept(accept)
    offers = {m for kind_offers in OFFERS.values() for m in kind_offers} | set(ALIASES)
    return any(r.q > 0 and r.matches(m) == 2 for r in ranges for m in offers)


def format_kinds(format_name: str) -> dict[str, str]:
    """What one ``format=`` value asks for each kind ({} for a name we do not know).

    >>> format_kinds("tsv") == format_kinds("text/tab-separated-values")
    True
    """
    name = format_name.strip().lower()
    return dict(FORMATS.get(name) or _by_media_type(name))


def one_format(values: list[str]) -> str | None:
    """The one ``format=`` of a request from all it gave: values naming the same types are one, empty ones and
    unknown ones are left to Accept; raises BadRequest when two name different types.

    >>> one_format(["tsv", "text/tab-separated-values"]), one_format(["json-ld", "application/ld+json,x/y"])
    ('tsv', 'json-ld')
    """
    named = [value for value in values if value.strip()]
    known = [value for value in named if format_kinds(value)]
    if len({tuple(sorted(format_kinds(value).items())) for value in known}) > 1:
        raise BadRequest(f"give 'format' once: {', '.join(repr(v) for v in known)} name different types")
    return (known or named or [None])[0]


def _by_media_type(media_type: str) -> dict[str, str]:
    """``format=`` given as a media type: the kinds it serves."""
    if media_type in ALIASES:
        return ALIASES[media_type]
    return {kind: media_type for kind, offers in OFFERS.items() if media_type in offers}


def prefers_html(accept: str | None) -> bool:
    """Whether a client (a browser) would rather have HTML than any RDF we offer.

    >>> prefers_html("text/html,application/xhtml+xml,*/*;q=0.8"), prefers_html("text/turtle, */*;q=0.1")
    (True, False)
    """
    ranges = parse_accept(accept)
    html = max((r.q for r in ranges if r.matches(HTML) == 2), default=0.0)
    return html > 0 and html > max(_quality_exact(ranges, offer) for offer in OFFERS["graph"])


def _quality_exact(ranges: list[MediaRange], media_type: str) -> float:
    """The q of ranges naming ``media_type`` or its type explicitly (wildcards ``*/*`` not counted)."""
    return max((r.q for r in ranges if r.matches(media_type) >= 1), default=0.0)


def wants_json(accept: str | None) -> bool:
    """Whether an error should be sent as JSON: the client named a JSON type (else plain text)."""
    return any(r.q > 0 and r.subtype.endswith("json") for r in parse_accept(accept))
