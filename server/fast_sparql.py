"""The hot path of ``/sparql``: GET and POST queries answered as plain ASGI, before the framework's routing.

Profiling the endpoint under load showed most of each lookup's time in routing, dependency solving (sync
dependencies hop through a thread pool) and middleware, not in the query. This middleware answers the two
requests that carry a query (GET with ``query=``, POST) itself, through the same protocol reader, executor
(budget, cache, worker pool with its deadline and caps) and error table as the routes; everything else on
``/sparql`` (the service description, OPTIONS, other methods) goes on to the router. It sits inside the CORS
and body-limit middleware, which pass a request without ``Origin`` (or a body) straight through.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from kg.settings import Settings
from server import negotiation, protocol
from server.description import endpoint_iri
from server.errors import NotAcceptable
from server.executor import Executor
from server.guard import service_bindings
from server.worker import Job

PATHS = frozenset(("/sparql", "/sparql/"))
KIND_NAMES = {"solutions": "SELECT", "boolean": "ASK", "graph": "CONSTRUCT/DESCRIBE"}


async def query_response(request: Request, executor: Executor, settings: Settings, asked: protocol.QueryRequest) -> Response:
    """The response to a protocol request that carries a query (what the routes and the fast path both send)."""
    assert asked.query is not None
    media_types = negotiation.negotiate(request.headers.get("accept"), asked.format)
    job = Job(asked.query, media_types, asked.default_graphs, asked.named_graphs, base_iri=endpoint_iri(settings))
    bound = service_bindings(asked.query, {"wikidata": settings.wikidata_endpoint})  # SERVICE ?wikidata
    answer = await executor.answer(job, protocol.client_of(request), bound or None)
    if answer is None:
        kinds = ", ".join(KIND_NAMES[k] for k in media_types)
        raise NotAcceptable(f"this query's results cannot be sent in the types Accept allows (they suit {kinds} only)")
    headers = {"Vary": "Accept", "X-Cache": "hit" if answer.cached else "miss"}
    return Response(answer.body, media_type=answer.media_type, headers=headers)


def _carries_query(scope: Scope) -> bool:
    """A POST, or a GET whose query string has a ``query`` parameter (else the router describes the service)."""
    if scope["method"] == "POST":
        return True
    query_string: bytes = scope.get("query_string", b"")
    return scope["method"] == "GET" and (query_string.startswith(b"query=") or b"&query=" in query_string)


class FastSparql:
    """ASGI middleware: answer ``/sparql`` queries directly; pass every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS or not _carries_query(scope):
            await self.app(scope, receive, send)
            return
        app = scope["app"]
        request = Request(scope, receive)
        try:
            if scope["method"] == "GET":
                asked = await protocol.read_get(request)
            else:
                asked = await protocol.read_post(request)
            response = await query_response(request, app.state.executor, app.state.settings, asked)
        except Exception as error:  # noqa: BLE001 - the app's own error table decides, as for the routes
            response = await _handled(app, request, error)
        await response(scope, receive, send)


async def _handled(app: object, request: Request, error: Exception) -> Response:
    """The response the app's exception handlers give for ``error`` (re-raised when none applies)."""
    handlers = getattr(app, "exception_handlers", {})
    for cls in type(error).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            response: Response = await handler(request, error)
            return response
    raise error
