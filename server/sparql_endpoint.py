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

from functools import lru_cache

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
REMEMBERED_BYTES = 8192
"""Queries up to this size have their job remembered (at most 4096 of them)."""
ALLOW = "GET, HEAD, POST, OPTIONS"
KIND_NAMES = {"solutions": "SELECT", "boolean": "ASK", "graph": "CONSTRUCT/DESCRIBE"}
QUERY_PAGE = STATIC / "query.html"
OPENAPI = {"/sparql": {"get": SPARQL_GET, "post": SPARQL_POST}}
"""The OpenAPI path item of ``/sparql`` (merged into the app's document by server/app.py)."""


async def query_response(request: Request, executor: Executor, settings: Settings, asked: protocol.QueryRequest) -> Response:
    """The response to a protocol request that carries a query."""
    assert asked.query is not None
    arguments = (asked, request.headers.get("accept"), endpoint_iri(settings), settings.wikidata_endpoint)
    job, media_types = _remembered_job(*arguments) if len(asked.query) <= REMEMBERED_BYTES else _job(*arguments)
    answer = await executor.answer(job, protocol.client_of(request))
    if answer is None:
        kinds = ", ".join(KIND_NAMES[k] for k in media_types)
        raise NotAcceptable(f"this query's results cannot be sent in the types Accept allows (they suit {kinds} only)")
    return AnswerResponse(answer.body, answer.media_type, answer.cached)


def _job(asked: protocol.QueryRequest, accept: str | None, base_iri: str, wikidata: str) -> tuple[SparqlQuery, dict[str, str]]:
    """The job for ``asked`` and the media types Accept allows."""
    media_types = negotiation.negotiate(accept, asked.format)
    job = SparqlQuery(asked.query, media_types, asked.default_graphs, asked.named_graphs, base_iri=base_iri,  # type: ignore[arg-type]
                      endpoints=(("wikidata", wikidata),))  # SERVICE ?wikidata
    return job, media_types


@lru_cache(maxsize=4096)
def _remembered_job(asked: protocol.QueryRequest, accept: str | None, base_iri: str, wikidata: str) -> tuple[SparqlQuery, dict[str, str]]:
    """:func:`_job`, remembered for short queries: a query asked again is the same job object, so its cache lookup
    compares by identity (building and comparing jobs was a tenth of a cached answer's cost)."""
    return _job(asked, accept, base_iri, wikidata)


class AnswerResponse(Response):
    """A query's answer, its headers written directly (as Starlette's Response would write them, without deriving them
    again for each answer): Vary, X-Cache, Content-Length, Content-Type (text types say UTF-8)."""

    def __init__(self, body: bytes, media_type: str, cached: bool) -> None:
        self.status_code = 200
        self.body = body
        self.background = None
        self.raw_headers = [(b"vary", b"Accept"), (b"x-cache", b"hit" if cached else b"miss"),
                            (b"content-length", str(len(body)).encode()), (b"content-type", _content_type(media_type))]


@lru_cache(maxsize=64)
def _content_type(media_type: str) -> bytes:
    if media_type.startswith("text/") and "charset=" not in media_type.lower():
        media_type += "; charset=utf-8"
    return media_type.encode("latin-1")


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
