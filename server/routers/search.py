"""Full-text search for people who do not write SPARQL: ``/api/search`` (JSON, or the whole result set as CSV or
JSON) and the ``/search`` page (HTML, no script needed). Each search is one executor job (server/search_job.py):
budgeted, cached and timed like a query, stopped past ``KG_SEARCH_TIMEOUT`` (504)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from kg.describe import local_path
from kg.search import FACETS, KINDS, MAX_PAGE, SearchResult
from kg.search.model import MAX_FILTERS, MAX_QUERY_CHARS
from server import protocol
from server.negotiation import parse_accept
from server.refusals import BadRequest
from server.rendering import render
from server.search_index import served_index
from server.search_job import SearchJob
from server.search_view import (FACET_NAMES, Asked, SearchExport, SearchPage, asked, export_csv, export_model,
                                page_model, search_request)

router = APIRouter()
CSV = "text/csv"
MAX_PAGE_NUMBER = 1000
EXPORT_SCHEMA = {k: v for k, v in SearchExport.model_json_schema(ref_template="#/components/schemas/{model}").items()
                 if k != "$defs"}
"""The export's schema, inline; the hits' model (HitModel) is among the components through SearchPage."""

Q = Annotated[str, Query(max_length=MAX_QUERY_CHARS, description="words; each matches as a prefix, all must match "
                                                                 "(empty: every incident)")]
Kinds = Annotated[list[Literal[KINDS]], Query(max_length=len(KINDS), description="kinds of things to find "  # type: ignore[valid-type]
                                                                                 "(repeat; default: all)")]
Filters = Annotated[list[str], Query(max_length=MAX_FILTERS, description=(
    f"facet:value, repeated; facets: {', '.join(FACETS)}; values are the `value` of a facet count (an IRI, or a "
    "year); values of one facet are alternatives, facets combine"))]
Page = Annotated[int, Query(ge=1, le=MAX_PAGE_NUMBER, description="page number, from 1")]
Size = Annotated[int, Query(ge=1, le=MAX_PAGE, description="hits a page")]
Format = Annotated[Literal["json", "csv"] | None, Query(description=(
    "the whole result set (export) as JSON or CSV; without it, Accept: text/csv exports CSV, else one page of JSON"))]


async def _run(request: Request, search: Asked, export: bool) -> SearchResult:
    settings = request.app.state.settings
    job = SearchJob(search_request(search, settings.search_timeout, export), served_index(request.app))
    result = await request.app.state.executor.run(job, protocol.client_of(request))
    assert isinstance(result, SearchResult)
    return result


def _wants_csv(accept: str | None) -> bool:
    """Whether Accept names text/csv, and ranks it above JSON."""
    ranges = parse_accept(accept)
    csv = max((r.q for r in ranges if r.matches(CSV) == 2), default=0.0)
    json = max((r.q for r in ranges if r.matches("application/json") >= 1), default=0.0)
    return csv > 0 and csv >= json


@router.get("/api/search", response_model=SearchPage, responses={
    200: {"description": "one page of hits (JSON); with format=json the whole result set (SearchExport), with "
                         "format=csv or Accept: text/csv the whole result set as CSV",
          "content": {CSV: {"schema": {"type": "string"}},
                      "application/json": {"schema": {"anyOf": [{"$ref": "#/components/schemas/SearchPage"},
                                                                EXPORT_SCHEMA]}}}},
    400: {"description": "a bad parameter (named in the message)"},
    422: {"description": "an export larger than the server's row cap"},
    504: {"description": "the search ran past its deadline"}})
async def api_search(request: Request, q: Q = "", kind: Kinds = [], filter: Filters = [],  # noqa: B006
                     page: Page = 1, size: Size = 20, format: Format = None) -> Response:
    """Full-text search of incidents, organisations, AI systems and concepts, with facet counts."""
    search = asked(q, list(kind), filter, page, size)
    if format is None and _wants_csv(request.headers.get("accept")):
        format = "csv"
    if format is None:
        return JSONResponse(page_model(search, await _run(request, search, False)).model_dump())
    result = await _run(request, search, True)
    if format == "csv":
        body = export_csv(result, request.app.state.settings.public_url)
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="search.csv"', "Vary": "Accept"})
    return JSONResponse(export_model(search, result).model_dump(),
                        headers={"Content-Disposition": 'attachment; filename="search.json"'})


@router.api_route("/search", methods=["GET", "HEAD"], include_in_schema=False)
async def search_page(request: Request, q: str = "", kind: list[str] = Query([]),  # noqa: B008
                      filter: list[str] = Query([]), page: str = "1") -> Response:  # noqa: B008
    """The search page: a box, ranked hits linked to their pages, facets as links, downloads of the result set."""
    try:
        search = asked(q, kind, filter, _page_number(page), 20)
        result = await _run(request, search, False)
    except BadRequest as error:
        return render(request, "search.html", 400, search=Asked(q[:MAX_QUERY_CHARS]), result=None,
                      problem=error.message, facet_names=FACET_NAMES, kinds=KINDS)
    return render(request, "search.html", search=search, result=result, problem=None, facet_names=FACET_NAMES,
                  kinds=KINDS, labels=_labels(result), local_path=local_path)


def _page_number(page: str) -> int:
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE_NUMBER:
        raise BadRequest(f"parameter 'page': a number from 1 to {MAX_PAGE_NUMBER}, got {page[:20]!r}")
    return int(page)


def _labels(result: SearchResult) -> dict[str, str]:
    """Labels of the facet values counted (for the hits' sources and the filters in force)."""
    return {v.value: v.label for values in result.facets.values() for v in values}
