"""The refusals the server itself decides (protocol, limits): each fixes its HTTP status and a short code.

Raised anywhere in the server; server/errors.py turns them into responses. Errors of the data or the query
itself are library errors (kg/errors.py), mapped in the same table.
"""

from __future__ import annotations


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
