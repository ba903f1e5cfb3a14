"""The one table that turns errors into HTTP responses: a status, a short code and a message a person can act on.

Library errors (``kg.errors``) and the server's own refusals are mapped here; the body is JSON when the client
names a JSON type in Accept, plain text otherwise. Nothing else (no stack trace) ever reaches a client.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from kg.errors import InvalidData, KgError, NotFound, QueryError, StoreError

log = logging.getLogger(__name__)


class HttpRefusal(Exception):
    """A refusal the server itself decides (protocol, limits); subclasses fix the status and code."""

    status = 400
    code = "bad-request"

    def __init__(self, message: str, *, retry_after: float | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.headers = headers or {}


class BadRequest(HttpRefusal):
    """The request breaks the SPARQL protocol (repeated or missing parameters, bad encoding)."""


class MalformedQuery(HttpRefusal):
    """The query does not parse; the message carries the parser's position."""

    code = "malformed-query"


class FetchRefused(HttpRefusal):
    """The query would make the server fetch a URL (SERVICE) that the allow-list does not name."""

    code = "fetch-refused"


class UpdateRefused(HttpRefusal):
    """An update sent to this query-only service."""

    status = 403
    code = "update-refused"


class MethodNotAllowed(HttpRefusal):
    """A method other than GET or POST on the endpoint."""

    status = 405
    code = "method-not-allowed"


class NotAcceptable(HttpRefusal):
    """Nothing in Accept (or ``format=``) can be served."""

    status = 406
    code = "not-acceptable"


class BodyTooLarge(HttpRefusal):
    """The request body is over the limit."""

    status = 413
    code = "body-too-large"


class UriTooLong(HttpRefusal):
    """The query string is over the limit."""

    status = 414
    code = "uri-too-long"


class UnsupportedMediaType(HttpRefusal):
    """A POST whose Content-Type (or charset) the protocol does not allow."""

    status = 415
    code = "unsupported-media-type"


class ResultTooLarge(HttpRefusal):
    """The result is over the row or byte cap: refused whole, never cut silently."""

    status = 422
    code = "result-too-large"


class OverBudget(HttpRefusal):
    """The client spent its query-time budget."""

    status = 429
    code = "over-budget"


class QueryFailed(HttpRefusal):
    """The worker died while running the query (out of memory, crash, killed); it is replaced, so retrying may work."""

    status = 503
    code = "query-failed"


class Busy(HttpRefusal):
    """Every worker is busy and the queue is full."""

    status = 503
    code = "busy"


class QueryTimeout(HttpRefusal):
    """The query ran past the time limit and its worker was stopped."""

    status = 503
    code = "timeout"


LIBRARY_ERRORS: dict[type[KgError], tuple[int, str]] = {
    QueryError: (400, "malformed-query"),
    NotFound: (404, "not-found"),
    InvalidData: (500, "invalid-data"),
    StoreError: (503, "store-unavailable"),
    KgError: (500, "error"),
}
"""kg.errors -> (status, code); the first matching class in this order wins."""


def error_response(request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error body in JSON or plain text, whichever the client asked for (so it varies on Accept)."""
    from server.negotiation import wants_json

    headers = dict(headers or {})
    headers["Vary"] = ", ".join(filter(None, (headers.get("Vary"), "Accept")))
    if wants_json(request.headers.get("accept")):
        return JSONResponse({"error": code, "status": status, "message": message}, status, headers=headers)
    return PlainTextResponse(f"{message}\n", status, headers=headers)


async def _refusal(request: Request, error: Exception) -> Response:
    assert isinstance(error, HttpRefusal)
    headers = dict(error.headers)
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after + 0.5)))
    return error_response(request, error.status, error.code, error.message, headers)


async def _library(request: Request, error: Exception) -> Response:
    status, code = next(v for cls, v in LIBRARY_ERRORS.items() if isinstance(error, cls))
    if status >= 500:
        log.warning("%s on %s: %s", code, request.url.path, error)
    return error_response(request, status, code, str(error))


async def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    return error_response(request, error.status_code, "http", str(error.detail), dict(error.headers or {}))


async def _validation(request: Request, error: Exception) -> Response:
    return error_response(request, 400, "bad-request", f"bad parameters: {error}")


async def _unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s", request.url.path, exc_info=error)
    return error_response(request, 500, "internal", "the server failed to answer; the error was logged")


async def _disconnected(request: Request, error: Exception) -> Response:
    """The client went away (or was cut off by the read timeout) before its request was read: nothing to log."""
    return error_response(request, 400, "client-disconnected", "the request body was not received whole")


def install_error_handlers(app: FastAPI) -> None:
    """Register the table on ``app``."""
    app.add_exception_handler(ClientDisconnect, _disconnected)
    app.add_exception_handler(HttpRefusal, _refusal)
    app.add_exception_handler(KgError, _library)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
