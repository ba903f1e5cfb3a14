"""The one table that turns errors into HTTP responses: a status, a short code and a message a person can act on.

Library errors (``kg.errors``, also as they come back from a query worker) and the server's own refusals
(server/refusals.py) are mapped here, once; the body is JSON when the client names a JSON type in Accept,
plain text otherwise. Nothing else (no stack trace) ever reaches a client.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from kg.errors import (
    Unrepresentable,
    FetchRefused,
    InvalidData,
    KgError,
    NotFound,
    QueryError,
    ResultTooLarge,
    SearchTimeout,
    StoreError,
    UpdateRefused,
)
from server.negotiation import wants_json
from server.refusals import (
    BadRequest,
    BodyTooLarge,
    Busy,
    HttpRefusal,
    MethodNotAllowed,
    NotAcceptable,
    OverBudget,
    QueryFailed,
    QueryTimeout,
    UnsupportedMediaType,
    UriTooLong,
)
from kg.submissions.database import StorageError, StorageFull
from kg.submissions.model import InvalidSubmission

__all__ = [
    "BadRequest", "BodyTooLarge", "Busy", "FetchRefused", "HttpRefusal", "MethodNotAllowed", "NotAcceptable",
    "OverBudget", "QueryFailed", "QueryTimeout", "ResultTooLarge", "UnsupportedMediaType", "UpdateRefused",
    "UriTooLong", "error_response", "install_error_handlers",
]
log = logging.getLogger(__name__)


LIBRARY_ERRORS: dict[type[KgError], tuple[int, str]] = {
    InvalidSubmission: (422, "invalid-submission"),
    StorageFull: (507, "storage-full"),
    StorageError: (503, "submissions-unavailable"),
    UpdateRefused: (403, "update-refused"),
    FetchRefused: (400, "fetch-refused"),
    QueryError: (400, "malformed-query"),
    ResultTooLarge: (422, "result-too-large"),
    Unrepresentable: (406, "not-acceptable"),
    NotFound: (404, "not-found"),
    SearchTimeout: (504, "search-timeout"),
    InvalidData: (500, "invalid-data"),
    StoreError: (503, "store-unavailable"),
    KgError: (500, "error"),
}
"""kg.errors -> (status, code); the first matching class in this order wins."""


def error_response(request: Request, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """The error body in JSON or plain text, whichever the client asked for (so it varies on Accept)."""
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


HTTP_CODES = {404: "not-found", 405: "method-not-allowed"}
"""The codes of the router's own refusals (no such path, no such method), as the rest of the table names them."""


async def _http(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    code = HTTP_CODES.get(error.status_code, "http")
    return error_response(request, error.status_code, code, str(error.detail), dict(error.headers or {}))


async def _validation(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    return error_response(request, 400, "bad-request", f"bad parameters: {_problems(error)}")


def _problems(error: RequestValidationError) -> str:
    """Each problem as "where 'name': what" (query 'page': Input should be ...), without the handler's location."""
    problems = []
    for problem in error.errors():
        where, *name = (str(part) for part in problem.get("loc", ()))
        item = f" (item {'.'.join(name[1:])})" if len(name) > 1 else ""
        problems.append(f"{where} '{name[0]}'{item}: {problem.get('msg', '')}" if name else f"{where}: {problem.get('msg', '')}")
    return "; ".join(problems)


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
