"""Dereferenceable IRIs: things (``/id/…``) answer 303 to their documents (``/doc/…``), which negotiate HTML or RDF.

Named graphs (``/graph/…``) answer 200 directly with their description. A path becomes an IRI only after
:func:`kg.describe.minted_iri` has checked it against our IRI spaces. Every page is one job of the executor
(server/page_jobs.py): timed, budgeted, capped and cached like any query.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import URIRef

from kg import describe
from kg.errors import NotFound
from rdflib.namespace import SKOS

from server import browse, negotiation, protocol
from server.jobs import NamedQuery, Serialized, pairs
from server.deps import ExecutorDep
from server.documents import HTML, html_headers, not_found, representation, serialized_response
from server.executor import Executor
from server.page_jobs import DocumentPage, Missing, Suggestions
from server.rendering import render
from server.routers.cite import cite_texts
from server.routers.feeds import feed_path

router = APIRouter()


async def _suggestions(request: Request, executor: Executor, asked: str) -> tuple:  # type: ignore[type-arg]
    """Close IRIs for a person's 404 page (programs get none: the lookup is not free)."""
    if not negotiation.prefers_html(request.headers.get("accept")):
        return ()
    found = await executor.run(Suggestions(asked), protocol.client_of(request))
    assert isinstance(found, tuple)
    return found


async def _moved(request: Request, executor: Executor, iri: URIRef) -> Response | None:
    """301 Moved Permanently to the document of the IRI that replaces a retired ``iri`` (data/links/replaced.ttl)."""
    rows = await executor.select("replaced-by", protocol.client_of(request), resource=iri)
    replacement = rows[0].get("replacement") if rows else None
    target = describe.local_path(str(replacement)) if replacement is not None else None
    if target is None:
        return None
    return RedirectResponse(target + (f"?{request.url.query}" if request.url.query else ""), status_code=301)


async def _document(request: Request, executor: Executor, space: str, path: str, format_name: str | None) -> Response:
    asked = f"{describe.BASE}{space}/{path}"
    try:
        iri = describe.minted_iri(space, path)
        if space == "id" and (moved := await _moved(request, executor, iri)) is not None:
            return moved
    except NotFound as error:
        return not_found(request, error, asked, list(await _suggestions(request, executor, asked)))
    media_type = representation(request, format_name)
    job = DocumentPage(iri, space == "graph", media_type, suggest=negotiation.prefers_html(request.headers.get("accept")))
    page = await executor.run(job, protocol.client_of(request))
    if isinstance(page, Missing):
        return not_found(request, NotFound(page.message), asked, list(page.similar))
    if media_type != HTML:
        return serialized_response(request, page)
    extras = {"cite": cite_texts(page.citation), "feed": feed_path(space, path)}
    if browse.browsed(page.kinds):
        client = protocol.client_of(request)
        concept = any(kind.iri == str(SKOS.Concept) for kind in page.kinds)
        extra = await browse.context(request, executor, client, str(iri), concept)
        return render(request, "browse.html", headers=html_headers(request), s=page, b=extra, **extras)
    return render(request, "resource.html", headers=html_headers(request), s=page, **extras)


@router.api_route("/browse/incidents.csv", methods=["GET", "HEAD"])
async def incidents_csv(request: Request, executor: ExecutorDep, about: str) -> Response:
    """A browse list as CSV: the rows of browse/incidents with ``about`` and the filters bound."""
    bound = browse.bindings(about, request)
    job = NamedQuery("browse/incidents", pairs(bound), "text/csv", as_values=True)
    answer = await executor.run(job, protocol.client_of(request))
    assert isinstance(answer, Serialized)
    return Response(answer.body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="incidents.csv"'})


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def thing(path: str, request: Request, executor: ExecutorDep) -> Response:
    """A thing's IRI: 303 See Other to the document about it, 301 to its replacement's if it was retired (404 when
    nothing is known about it)."""
    asked = f"{describe.ID}{path}"
    try:
        iri = describe.minted_iri("id", path)
        if (moved := await _moved(request, executor, iri)) is not None:
            return moved
        if not await executor.ask("exists", protocol.client_of(request), resource=iri):
            raise NotFound(f"nothing is known about <{iri}>")
    except NotFound as error:
        return not_found(request, error, asked, list(await _suggestions(request, executor, asked)))
    target = f"/doc/{path}" + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(target, status_code=303)


@router.api_route("/doc/{path:path}", methods=["GET", "HEAD"])
async def document(path: str, request: Request, executor: ExecutorDep, format: str | None = None) -> Response:
    """The document about a thing: HTML for people; Turtle, JSON-LD, N-Triples or RDF/XML by Accept or ``format=``."""
    return await _document(request, executor, "id", path, format)


@router.api_route("/graph/{path:path}", methods=["GET", "HEAD"])
async def named_graph(path: str, request: Request, executor: ExecutorDep, format: str | None = None) -> Response:
    """A named graph's IRI: what the graph says of itself (its title, its source), in HTML or RDF."""
    return await _document(request, executor, "graph", path, format)
