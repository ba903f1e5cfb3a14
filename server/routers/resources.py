"""Dereferenceable IRIs: things (``/id/…``) answer 303 to their documents (``/doc/…``), which negotiate HTML or RDF.

Named graphs (``/graph/…``) answer 200 directly with their description. A path becomes an IRI only after
:func:`kg.describe.minted_iri` has checked it against our IRI spaces.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import URIRef

from kg import describe, queries
from kg.display import Ref
from kg.errors import NotFound
from kg.store import Solutions, TripleStore
from kg.summary import summarise
from kg.vocabulary import ontology_graph, property_labels
from server.deps import StoreDep
from server.documents import HTML, graph_response, html_headers, not_found, rdf_response, representation
from server.rendering import render

router = APIRouter()


def _suggestions(store: TripleStore, asked: str) -> list[Ref]:
    return [Ref(str(iri), str(iri).rsplit("/", 1)[-1], describe.local_path(str(iri))) for iri in describe.similar(store, asked)]


def _moved(request: Request, store: TripleStore, iri: URIRef) -> Response | None:
    """301 Moved Permanently to the document of the IRI that replaces a retired ``iri`` (data/curated/replaced.ttl)."""
    found = store.query(queries.load("replaced-by"), {"resource": iri})
    replacement = found.rows[0].get("replacement") if isinstance(found, Solutions) and found.rows else None
    target = describe.local_path(str(replacement)) if replacement is not None else None
    if target is None:
        return None
    return RedirectResponse(target + (f"?{request.url.query}" if request.url.query else ""), status_code=301)


def _document(request: Request, store: TripleStore, space: str, path: str, format_name: str | None) -> Response:
    asked = f"{describe.BASE}{space}/{path}"
    try:
        iri = describe.minted_iri(space, path)
        if space == "id" and (moved := _moved(request, store, iri)) is not None:
            return moved
        media_type = representation(request, format_name)
        if space == "graph":
            graph = describe.describe_graph(store, iri)
            if media_type != HTML:
                return graph_response(graph, media_type)
        elif media_type != HTML:
            return rdf_response(request, media_type, lambda out: describe.write_description(store, iri, media_type, out))
        else:
            graph = describe.describe(store, iri)
    except NotFound as error:
        return not_found(request, error, asked, _suggestions(store, asked))
    summary = summarise(graph, URIRef(iri), property_labels(ontology_graph(store)))
    return render(request, "resource.html", headers=html_headers(request), s=summary)


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
def thing(path: str, request: Request, store: StoreDep) -> Response:
    """A thing's IRI: 303 See Other to the document about it, 301 to its replacement's if it was retired (404 when
    nothing is known about it)."""
    asked = f"{describe.ID}{path}"
    try:
        iri = describe.minted_iri("id", path)
        if (moved := _moved(request, store, iri)) is not None:
            return moved
        if not describe.exists(store, iri):
            raise NotFound(f"nothing is known about <{iri}>")
    except NotFound as error:
        return not_found(request, error, asked, _suggestions(store, asked))
    target = f"/doc/{path}" + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(target, status_code=303)


@router.api_route("/doc/{path:path}", methods=["GET", "HEAD"])
def document(path: str, request: Request, store: StoreDep, format: str | None = None) -> Response:
    """The document about a thing: HTML for people; Turtle, JSON-LD, N-Triples or RDF/XML by Accept or ``format=``."""
    return _document(request, store, "id", path, format)


@router.api_route("/graph/{path:path}", methods=["GET", "HEAD"])
def named_graph(path: str, request: Request, store: StoreDep, format: str | None = None) -> Response:
    """A named graph's IRI: what the graph says of itself (its title, its source), in HTML or RDF."""
    return _document(request, store, "graph", path, format)
