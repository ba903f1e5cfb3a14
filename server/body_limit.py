"""Refuse request bodies (413) and query strings (414) larger than the configured limit, before they are read whole."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.errors import BodyTooLarge, HttpRefusal, UriTooLong, error_response


class BodyLimit:
    """ASGI middleware: a declared Content-Length over ``limit`` is refused at once, a streamed body once it passes it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            request = Request(scope)
            response = error_response(request, refusal.status, refusal.code, refusal.message)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise BodyTooLarge(f"the request body is over the {self.limit}-byte limit")
            return message

        await self.app(scope, counted, send)

    def _refusal(self, scope: Scope) -> HttpRefusal | None:
        if len(scope.get("query_string", b"")) > self.limit:
            return UriTooLong(f"the query string is over the {self.limit}-byte limit: POST long queries instead")
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return BodyTooLarge("the Content-Length header is not a number")
                if declared > self.limit:
                    return BodyTooLarge(f"the request body ({declared} bytes) is over the {self.limit}-byte limit")
        return None
