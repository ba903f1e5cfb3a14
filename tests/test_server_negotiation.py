"""Content negotiation, table-tested: Accept headers and format names -> the media type sent for each kind of result."""

from __future__ import annotations

import pytest

from server.errors import BadRequest, NotAcceptable
from server.negotiation import negotiate, one_format, prefers_html, wants_json

JSON, XML = "application/sparql-results+json", "application/sparql-results+xml"
CSV, TSV = "text/csv", "text/tab-separated-values"
TTL, NT, JSONLD, RDFXML = "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"
NQ, TRIG = "application/n-quads", "application/trig"

ACCEPT_CASES = [
    # (Accept, format=, SELECT, ASK, CONSTRUCT); None: not acceptable for that kind
    (None, None, JSON, JSON, TTL),
    ("", None, JSON, JSON, TTL),
    ("*/*", None, JSON, JSON, TTL),
    (JSON, None, JSON, JSON, RDFXML),
    (XML, None, XML, XML, RDFXML),
    (CSV, None, CSV, CSV, None),
    (TSV, None, TSV, TSV, None),
    ("application/json", None, JSON, JSON, JSONLD),
    ("application/xml", None, XML, XML, RDFXML),
    ("text/xml", None, XML, XML, RDFXML),
    (TTL, None, None, None, TTL),
    (NT, None, None, None, NT),
    ("text/plain", None, None, None, NT),
    (JSONLD, None, None, None, JSONLD),
    (RDFXML, None, None, None, RDFXML),
    (NQ, None, None, None, NQ),
    (TRIG, None, None, None, TRIG),
    # q-values: the highest wins, zero excludes, ties go to our order
    (f"{CSV};q=0.5, {XML}", None, XML, XML, RDFXML),
    (f"{CSV}, {XML};q=0.9", None, CSV, CSV, RDFXML),
    (f"{JSON};q=0, */*;q=0.1", None, XML, XML, TTL),
    (f"{TSV};q=0.9, {CSV};q=0.9", None, CSV, CSV, None),
    ("text/*", None, CSV, CSV, TTL),
    ("application/*", None, JSON, JSON, NT),
    (f"{TTL};q=0.2, {RDFXML}", None, None, None, RDFXML),
    # what real clients send
    ("application/sparql-results+json,application/json,text/javascript,application/javascript", None, JSON, JSON, JSONLD),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, XML, XML, RDFXML),
    # format= takes precedence over Accept for the kinds it names; Accept answers the others
    (CSV, "json", JSON, JSON, JSONLD),
    (TTL, "csv", CSV, CSV, TTL),
    # SPARQLWrapper's names, and an unknown name beside an Accept that names a type we write
    (None, "json-ld", None, None, JSONLD),
    (None, "rdf+xml", None, None, RDFXML),
    (None, "rdf", None, None, RDFXML),
    (None, "n3", None, None, TTL),
    ("application/ld+json,application/x-json+ld", "application/ld+json,application/x-json+ld", None, None, JSONLD),
    (RDFXML, "pdf", None, None, RDFXML),
    # a graph query asked only for SPARQL results (roqet) gets RDF/XML rather than 406
    ("application/sparql-results+xml", None, XML, XML, RDFXML),
    (None, "xml", XML, XML, RDFXML),
    (None, "csv", CSV, CSV, None),
    (None, "tsv", TSV, TSV, None),
    (None, "turtle", None, None, TTL),
    (None, "ttl", None, None, TTL),
    (None, "nt", None, None, NT),
    (None, "jsonld", None, None, JSONLD),
    (None, "rdfxml", None, None, RDFXML),
    (None, "nquads", None, None, NQ),
    (None, "trig", None, None, TRIG),
    (None, "TEXT/CSV", CSV, CSV, None),
    (None, TRIG, None, None, TRIG),
]


@pytest.mark.parametrize(("accept", "format_name", "select", "ask", "construct"), ACCEPT_CASES)
def test_negotiation_table(accept: str | None, format_name: str | None, select: str | None, ask: str | None, construct: str | None) -> None:
    chosen = negotiate(accept, format_name)
    assert (chosen.get("solutions"), chosen.get("boolean"), chosen.get("graph")) == (select, ask, construct)


@pytest.mark.parametrize(
    ("accept", "format_name"),
    [("image/png", None), ("text/html", None), (f"{JSON};q=0, {TTL};q=0", None), ("*/*;q=0", None), (None, "pdf"), (None, "image/png")],
)
def test_nothing_acceptable_is_406(accept: str | None, format_name: str | None) -> None:
    with pytest.raises(NotAcceptable) as refused:
        negotiate(accept, format_name)
    assert refused.value.status == 406


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("text/html", True),
        ("text/turtle", False),
        ("text/turtle, text/html;q=0.5", False),
        ("*/*", False),
        (None, False),
    ],
)
def test_browsers_get_the_page(accept: str | None, html: bool) -> None:
    assert prefers_html(accept) is html


@pytest.mark.parametrize(
    ("accept", "as_json"),
    [("application/json", True), (JSON, True), ("text/plain", False), (None, False), ("*/*", False), ("application/json;q=0", False)],
)
def test_errors_are_json_only_when_asked(accept: str | None, as_json: bool) -> None:
    assert wants_json(accept) is as_json


@pytest.mark.parametrize(
    ("values", "one"),
    [([], None), (["tsv", TSV], "tsv"), (["json-ld", f"{JSONLD},application/x-json+ld"], "json-ld"),
     (["rdf+xml", RDFXML], "rdf+xml"), (["n3"], "n3"), (["", "csv"], "csv"), (["pdf"], "pdf"), ([""], None)],
)
def test_repeated_format_values_naming_one_type_are_one(values: list[str], one: str | None) -> None:
    assert one_format(values) == one


def test_format_values_naming_different_types_are_refused() -> None:
    with pytest.raises(BadRequest) as refused:
        one_format(["csv", "json"])
    assert refused.value.status == 400 and "'csv', 'json'" in str(refused.value)
