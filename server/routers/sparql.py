"""The SPARQL 1.1 Protocol query operation at ``/sparql``: GET and POST, results by content negotiation.

GET without a query returns the service description (or, to a browser, the query page). Requests that carry
a query are normally answered earlier, by the same code, in :mod:`server.fast_sparql`; these routes describe
them in the OpenAPI document and answer them when the app runs without that middleware.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse

from server import negotiation, protocol
from server.deps import ExecutorDep, SettingsDep
from server.description import description_bindings, description_query
from server.errors import MethodNotAllowed, NotAcceptable
from server.executor import Executor
from server.fast_sparql import query_response
from server.openapi_sparql import SPARQL_GET, SPARQL_POST
from server.routers.pages import QUERY_PAGE
from server.worker import Job

router = APIRouter()
PATHS = ("/sparql", "/sparql/")
ALLOW = "GET, POST, OPTIONS"


async def _describe(request: Request, executor: Executor, settings: SettingsDep, format_name: str | None) -> Response:
    accept = request.headers.get("accept")
    if not format_name and negotiation.prefers_html(accept):
        return FileResponse(QUERY_PAGE, media_type="text/html")
    graph = negotiation.negotiate(accept, format_name).get("graph")
    if graph is None:
        raise NotAcceptable("the service description is RDF: accept Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG")
    job = Job(description_query(), {"graph": graph})
    answer = await executor.answer(job, protocol.client_of(request), description_bindings(settings))
    assert answer is not None
    return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})


@router.get(PATHS[0], openapi_extra=SPARQL_GET)
@router.get(PATHS[1], include_in_schema=False)
async def sparql_get(request: Request, executor: ExecutorDep, settings: SettingsDep) -> Response:
    """Run ``query`` (SPARQL 1.1 Protocol, GET), or describe the service when there is none."""
    asked = await protocol.read_get(request)
    if asked.query is None:
        return await _describe(request, executor, settings, asked.format)
    return await query_response(request, executor, settings, asked)


@router.post(PATHS[0], openapi_extra=SPARQL_POST)
@router.post(PATHS[1], include_in_schema=False)
async def sparql_post(request: Request, executor: ExecutorDep, settings: SettingsDep) -> Response:
    """Run a query sent as a form (``query=``) or as the body (``application/sparql-query``)."""
    return await query_response(request, executor, settings, await protocol.read_post(request))


@router.options(PATHS[0], include_in_schema=False)
@router.options(PATHS[1], include_in_schema=False)
async def sparql_options() -> Response:
    """Say which methods the endpoint takes (CORS preflights are answered before this)."""
    return Response(status_code=204, headers={"Allow": ALLOW})


@router.api_route(PATHS[0], methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
@router.api_route(PATHS[1], methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    """Any other method: 405."""
    raise MethodNotAllowed(f"{request.method} is not a SPARQL query operation: use GET or POST", headers={"Allow": ALLOW})
