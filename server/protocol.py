"""Read a SPARQL 1.1 Protocol query request (GET, POST form, POST direct) into a query and its dataset.

Everything the protocol forbids is refused here with a 4xx: repeated ``query``, a POST without an allowed
Content-Type, a charset other than UTF-8, bytes that are not UTF-8, and every update (this service answers
queries only, as the protocol allows). ``default-graph-uri``/``named-graph-uri`` name graphs we hold; they
are never fetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl

from starlette.datastructures import MultiDict
from starlette.requests import Request

from server.budget import Client
from server.client_address import client_address
from server.errors import BadRequest, UnsupportedMediaType, UpdateRefused
from server.negotiation import one_format

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
REMEMBERED_BYTES = 8192
UPDATE_REFUSED = "this endpoint answers queries only: SPARQL updates are refused (the protocol allows a query-only service)"


@dataclass(frozen=True)
class QueryRequest:
    """What a protocol request asks: the query (None: the service description), its dataset, a format name."""

    query: str | None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    format: str | None = None


def _content_type(request: Request) -> tuple[str, str | None]:
    """The media type (lower case) and charset of the request body."""
    header = request.headers.get("content-type", "")
    media, *params = (part.strip() for part in header.split(";"))
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _text(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"the body must be UTF-8, not {charset}")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"the body is not valid UTF-8 (byte {error.start})") from None


def _single(params: MultiDict, name: str) -> str | None:
    values = params.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"give '{name}' once, not {len(values)} times")
    return values[0] if values else None


def _dataset(params: MultiDict) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The protocol's dataset; naming any graph replaces the whole dataset (and the query's FROM clauses)."""
    default = tuple(params.getlist("default-graph-uri"))
    named = tuple(params.getlist("named-graph-uri"))
    if not default and not named:
        return None, None
    return default, named


def _build(params: MultiDict, query: str | None) -> QueryRequest:
    default, named = _dataset(params)
    return QueryRequest(query, default, named, one_format(params.getlist("format")))


async def read_get(request: Request) -> QueryRequest:
    """A GET: ``query`` in the URL (absent: the caller serves the service description)."""
    query_string = request.scope.get("query_string", b"")
    if len(query_string) <= REMEMBERED_BYTES:
        return _remembered(query_string)
    return _read_query_string(query_string)


@lru_cache(maxsize=4096)
def _remembered(query_string: bytes) -> QueryRequest:
    """:func:`_read_query_string`, remembered for short query strings (at most 4096 × 8 KiB held): decoding the
    percent-escapes is a fifth of a cached answer's cost. A refusal is raised again each time (none is kept)."""
    return _read_query_string(query_string)


def _read_query_string(query_string: bytes) -> QueryRequest:
    params = MultiDict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))
    if "update" in params:
        raise UpdateRefused(UPDATE_REFUSED + "; and an update is never sent by GET")
    return _build(params, _single(params, "query"))


async def read_post(request: Request) -> QueryRequest:
    """A POST, form-encoded or with the query as the body."""
    media, charset = _content_type(request)
    url_params = MultiDict(request.query_params.multi_items())
    if media == SPARQL_UPDATE or "update" in url_params:
        raise UpdateRefused(UPDATE_REFUSED)
    if media == FORM:
        text = _text(await request.body(), charset)
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False)
        params = MultiDict(url_params.multi_items() + pairs)
        if "update" in params:
            raise UpdateRefused(UPDATE_REFUSED)
        query = _single(params, "query")
        if query is None:
            raise BadRequest("the form has no 'query' field")
        return _build(params, query)
    if media == SPARQL_QUERY:
        if "query" in url_params:
            raise BadRequest("the query is the body of this POST: do not also give 'query' in the URL")
        return _build(url_params, _text(await request.body(), charset))
    if not media:
        raise UnsupportedMediaType(f"a POST needs a Content-Type: {SPARQL_QUERY} or {FORM}")
    raise UnsupportedMediaType(f"cannot read a POST body of type {media}: send {SPARQL_QUERY} or {FORM}")


def client_of(request: Request) -> Client:
    """Who is asking, for budgets: the peer's IP address, or the client a trusted proxy names (never the User-Agent)."""
    client = request.scope.get("client")
    peer = client[0] if client else "unknown"
    settings = getattr(request.app.state, "settings", None)
    proxies = settings.trusted_proxies if settings is not None else []
    if not proxies:
        return peer  # no proxy is trusted: forwarded headers are not read at all
    return client_address(peer, request.headers.getlist("x-forwarded-for"), proxies)
