"""``/sparql``, the SPARQL 1.1 Protocol query operation: the one handler, as plain ASGI before the routing.

Profiling the endpoint under load showed most of each lookup's time in routing, dependency solving (sync
dependencies hop through a thread pool) and middleware, not in the query, so this middleware answers every
request to ``/sparql`` itself: GET/HEAD with ``query=`` and POST run the query; GET/HEAD without one return
the service description (or, to a browser, the query page); OPTIONS lists the methods; any other method is
405 with ``Allow``. Everything goes through the protocol reader (server/protocol.py), the executor (budget,
cache, worker pool) and the app's error table. The OpenAPI document describes it from :data:`OPENAPI`.
It sits inside the CORS and body-limit middleware, which pass a request without ``Origin`` (or a body) on.

The plain case, a GET or HEAD with no ``Origin``, no body and a query string within the body limit (what
SPARQLWrapper, rdflib, roqet and crawlers send), is one the outer layers would not touch but for the headers
they add: :func:`answer_plain` answers it with the same handler before those layers (the app calls it first,
server/app.py), adding the same headers (server/security_headers.py, and CORS's ``Vary: Origin``); a cached
answer then costs a fifth of what it did (tests/test_server_protocol.py checks the two ways agree).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.settings import Settings
from server import negotiation, protocol
from server.description import description_job, endpoint_iri
from server.documents import triples_response
from server.errors import MethodNotAllowed, NotAcceptable
from server.executor import Executor
from server.jobs import SparqlQuery
from server.openapi_sparql import SPARQL_GET, SPARQL_POST
from server.rendering import STATIC
from server.security_headers import with_security_headers

PATHS = frozenset(("/sparql", "/sparql/"))
ALLOW = "GET, HEAD, POST, OPTIONS"
KIND_NAMES = {"solutions": "SELECT", "boolean": "ASK", "graph": "CONSTRUCT/DESCRIBE"}
QUERY_PAGE = STATIC / "query.html"
OPENAPI = {"/sparql": {"get": SPARQL_GET, "post": SPARQL_POST}}
"""The OpenAPI path item of ``/sparql`` (merged into the app's document by server/app.py)."""


async def query_response(request: Request, executor: Executor, settings: Settings, asked: protocol.QueryRequest) -> Response:
    """The response to a protocol request that carries a query."""
    assert asked.query is not None
    media_types = negotiation.negotiate(request.headers.get("accept"), asked.format)
    job = SparqlQuery(asked.query, media_types, asked.default_graphs, asked.named_graphs, base_iri=endpoint_iri(settings),
                      endpoints=(("wikidata", settings.wikidata_endpoint),))  # SERVICE ?wikidata
    answer = await executor.answer(job, protocol.client_of(request))
    if answer is None:
        kinds = ", ".join(KIND_NAMES[k] for k in media_types)
        raise NotAcceptable(f"this query's results cannot be sent in the types Accept allows (they suit {kinds} only)")
    headers = {"Vary": "Accept", "X-Cache": "hit" if answer.cached else "miss"}
    return Response(answer.body, media_type=answer.media_type, headers=headers)


async def description_response(request: Request, executor: Executor, settings: Settings, format_name: str | None) -> Response:
    """The service description in RDF, or the query page for a browser."""
    accept = request.headers.get("accept")
    if not format_name and negotiation.prefers_html(accept):
        return FileResponse(QUERY_PAGE, media_type="text/html")
    graph = negotiation.negotiate(accept, format_name).get("graph")
    if graph is None:
        raise NotAcceptable("the service description is RDF: accept Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG")
    return triples_response(await executor.run(description_job(settings), protocol.client_of(request)), graph)


async def respond(request: Request, executor: Executor, settings: Settings) -> Response:
    """The response to any request on ``/sparql``."""
    method = request.method
    if method in ("GET", "HEAD"):
        asked = await protocol.read_get(request)
        if asked.query is None:
            return await description_response(request, executor, settings, asked.format)
        return await query_response(request, executor, settings, asked)
    if method == "POST":
        return await query_response(request, executor, settings, await protocol.read_post(request))
    if method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": ALLOW})
    raise MethodNotAllowed(f"{method} is not a SPARQL query operation: use GET or POST", headers={"Allow": ALLOW})


def front_lane(scope: Scope, body_limit: int) -> bool:
    """Whether ``scope`` is a plain GET/HEAD of ``/sparql``, which the outer layers would pass on untouched but for
    their headers: no Origin, no body, a query string within the body limit (see the module's docstring)."""
    if scope["type"] != "http" or scope["path"] not in PATHS or scope["method"] not in ("GET", "HEAD"):
        return False
    for name, _ in scope["headers"]:
        if name in (b"origin", b"content-length", b"transfer-encoding"):
            return False
    return len(scope.get("query_string", b"")) <= body_limit


async def answer_plain(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer a plain request (:func:`front_lane`) with the headers the outer layers would have added."""

    async def send_plain(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": _vary_origin(with_security_headers(message.get("headers", [])))}
        await send(message)

    await _answer(scope, receive, send_plain)


def _vary_origin(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with Origin added to Vary, as the CORS layer does for a request without Origin."""
    varies = [value for name, value in headers if name == b"vary"]
    kept = [(name, value) for name, value in headers if name != b"vary"]
    return [*kept, (b"vary", b", ".join([*varies, b"Origin"]))]


async def _answer(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer a request to ``/sparql`` with :func:`respond`, its errors through the app's error table."""
    app = scope["app"]
    request = Request(scope, receive)
    try:
        response = await respond(request, app.state.executor, app.state.settings)
    except Exception as error:  # noqa: BLE001 - the app's own error table decides, as for the routes
        response = await _handled(app, request, error)
    await response(scope, receive, send)


class SparqlEndpoint:
    """ASGI middleware: answer every request to ``/sparql``; pass every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS:
            await self.app(scope, receive, send)
            return
        await _answer(scope, receive, send)


async def _handled(app: object, request: Request, error: Exception) -> Response:
    """The response the app's exception handlers give for ``error`` (re-raised when none applies)."""
    handlers = getattr(app, "exception_handlers", {})
    for cls in type(error).__mro__:
        handler = handlers.get(cls)
        if handler is not None:
            response: Response = await handler(request, error)
            return response
    raise error
