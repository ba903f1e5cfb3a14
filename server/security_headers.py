"""Headers every response carries so a browser never sniffs a type, runs a foreign script or frames our pages.

``Content-Security-Policy`` allows only our own origin (scripts, styles, fetches; no inline code, no plugins, no
``<base>``) and no framing (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for older browsers);
``X-Content-Type-Options: nosniff`` makes a browser take the Content-Type we send (a Turtle or CSV answer is never
run as a script or HTML). Set on every response, errors included, by the outermost middleware.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """ASGI middleware: add :data:`HEADERS` to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": with_security_headers(message.get("headers", []))}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_security_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with each of :data:`HEADERS` the response does not set itself."""
    present = {name.lower() for name, _ in headers}
    return [*headers, *((name, value) for name, value in HEADERS if name not in present)]
