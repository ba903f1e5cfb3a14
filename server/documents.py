"""Answer for a document in HTML or RDF: pick the representation, send the RDF a job wrote, or the helpful 404."""

from __future__ import annotations

import io

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph

from kg.describe import serialize
from kg.display import Ref
from kg.errors import NotFound
from kg.store import Triples
from server import negotiation
from server.errors import NotAcceptable, error_response
from server.jobs import Serialized
from server.rendering import alternates, render

HTML = negotiation.HTML
RDFLIB_FORMATS = {
    negotiation.TURTLE: "turtle", negotiation.NTRIPLES: "nt", negotiation.JSONLD: "json-ld",
    negotiation.RDFXML: "xml", negotiation.NQUADS: "nquads", negotiation.TRIG: "trig",
}
"""rdflib's serialiser for each RDF media type we offer (for small graphs built in Python)."""


def representation(request: Request, format_name: str | None) -> str:
    """``text/html`` for people (or ``format=html``), else the RDF media type negotiated from Accept or ``format=``."""
    if format_name and format_name.lower() in ("html", HTML):
        return HTML
    accept = request.headers.get("accept")
    if not format_name and negotiation.prefers_html(accept):
        return HTML
    media_type = negotiation.document_type(accept, format_name)
    if media_type is None:
        raise NotAcceptable("this document is HTML or RDF: accept text/html, Turtle, JSON-LD, N-Triples or RDF/XML")
    return media_type


def serialized_response(request: Request, value: object, links: bool = True) -> Response:
    """RDF a job serialised (server.jobs.Serialized), with links to the other formats of the document."""
    assert isinstance(value, Serialized)
    headers = {"Vary": "Accept", "Link": alternates(request.url.path)} if links else {"Vary": "Accept"}
    return Response(value.body, media_type=value.media_type, headers=headers)


def triples_response(value: object, media_type: str) -> Response:
    """Triples a job returned (kg.store.Triples), written by the engine in ``media_type``."""
    assert isinstance(value, Triples)
    graph = Graph()
    for triple in value.triples:
        graph.add(triple)
    out = io.BytesIO()
    serialize(graph, media_type, out)
    return Response(out.getvalue(), media_type=media_type, headers={"Vary": "Accept"})


def graph_response(graph: Graph, media_type: str) -> Response:
    """A small graph built in Python (a catalogue, a VoID description), serialised in ``media_type``."""
    body = graph.serialize(format=RDFLIB_FORMATS[media_type], encoding="utf-8")
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


def html_headers(request: Request) -> dict[str, str]:
    """Headers of an HTML document: it varies with Accept and has RDF alternates."""
    return {"Vary": "Accept", "Link": alternates(request.url.path)}


def not_found(request: Request, error: NotFound, asked: str, similar: list[Ref] | None = None) -> Response:
    """404: a page that says where things are (and what looks close) for people; plain text or JSON for programs."""
    if negotiation.prefers_html(request.headers.get("accept")):
        return render(request, "not_found.html", 404, {"Vary": "Accept"}, asked=asked, message=str(error), similar=similar or [])
    return error_response(request, 404, "not-found", str(error), {"Vary": "Accept"})
