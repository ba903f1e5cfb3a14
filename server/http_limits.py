"""uvicorn's httptools protocol with limits at the parser: request-line length (414), header bytes (431), read time (408).

The limits hold before anything reaches the app, so no header is ever buffered beyond them and no slow client keeps
a connection: a request's line and headers are fed to the parser only up to ``max_url + max_headers`` bytes, and a
request whose headers and body do not arrive within ``read_timeout`` seconds of its first byte (of the connection
opening, for a connection that sends nothing) is answered 408 and its connection closed. The limits come from the
``KG_*`` settings of the process (``KG_MAX_URL_BYTES``, ``KG_MAX_HEADER_BYTES``, ``KG_READ_TIMEOUT``);
:mod:`server.serving` names this class as uvicorn's ``http`` protocol. The usual request costs one comparison per
chunk read and one per request: deadlines are checked by one sweep per server each second, not by a timer each.

Each response's head (status line and headers, uvicorn's first write) is held until its body's first write joins
it, or until the event loop's next turn (:class:`HeadWithBody`): a small answer leaves in one system call, not two
(the second call was a third of a cached answer's cost, tests/bench/endpoint.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from kg.settings import get_settings
from server.security_headers import HEADERS as SECURITY_HEADERS

REASONS = {408: b"Request Timeout", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


class _Refused(Exception):
    """Raised inside a parser callback: the parser stops and the refusal is sent instead of its own 400."""


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """One connection: uvicorn's protocol, plus the request-line, header and read-time limits of the settings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()
        self.max_url = settings.max_url_bytes
        self.max_headers = settings.max_header_bytes
        self.max_head = self.max_url + self.max_headers
        self.read_timeout = settings.read_timeout
        self.url = b""
        self._head_bytes = 0  # bytes fed since the last request ended (at most the current request's head and body)
        self._in_head = True
        self._refusal: tuple[int, str, str] | None = None
        self._deadline: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline = self.loop.time() + self.read_timeout  # a connection that never sends a request is closed
        if not getattr(self.server_state, "kg_sweeping", False):
            self.server_state.kg_sweeping = True  # type: ignore[attr-defined]
            self.loop.call_later(self.sweep_seconds, _sweep, self.loop, self.server_state)

    @property
    def sweep_seconds(self) -> float:
        return min(1.0, self.read_timeout / 4)

    # -- sizes ------------------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        """Feed the parser; while in the request line and headers, never more than their limits allow."""
        if self._deadline is None:
            self._deadline = self.loop.time() + self.read_timeout  # the first byte of a new request
        if not self._in_head or self._head_bytes + len(data) <= self.max_head:
            self._head_bytes += len(data)
            super().data_received(data)  # the usual case: the whole head (or body) within the limits
            return
        view = memoryview(data)
        while view and not self.transport.is_closing():
            if not self._in_head:
                super().data_received(bytes(view))
                return
            room = self.max_head - self._head_bytes
            if room <= 0:
                self._send_refusal(*self._head_refusal())
                return
            chunk, view = view[:room], view[room:]
            self._head_bytes += len(chunk)
            super().data_received(bytes(chunk))

    def _head_refusal(self) -> tuple[int, str, str]:
        """414 when the request line is over its limit, else 431."""
        if len(self.url) > self.max_url:
            return (414, "uri-too-long", f"the request line is over the {self.max_url}-byte limit: POST long "
                    "queries instead (Content-Type: application/sparql-query)")
        return (431, "headers-too-large", f"the request headers are over the {self.max_headers}-byte limit")

    def on_headers_complete(self) -> None:
        self._in_head = False  # the deadline set at the first byte now covers the body too
        if self._head_bytes - len(self.url) > self.max_headers or len(self.url) > self.max_url:
            # maybe over a limit (what was fed may include a body): count exactly
            header_bytes = sum(len(name) + len(value) + 4 for name, value in self.headers)
            if header_bytes > self.max_headers or len(self.url) > self.max_url:
                self._refusal = self._head_refusal()
                raise _Refused
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = HeadWithBody(self.transport, self.loop)  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        self._deadline, self._head_bytes, self._in_head = None, 0, True
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """The parser stopped: send our refusal if a limit stopped it, else uvicorn's 400."""
        if self._refusal is not None:
            self._send_refusal(*self._refusal)
            return
        super().send_400_response(msg)

    # -- read time --------------------------------------------------------------------------------------------
    def read_too_slow(self) -> None:
        """The request's deadline passed: 408 (or just close, if the app has begun answering) and close."""
        self._deadline = None
        if self.transport.is_closing():
            return
        part = "headers" if self._in_head else "body"
        message = f"the request {part} did not arrive within {self.read_timeout:g} s of its start"
        cycle = self.cycle
        if cycle is not None and not self._in_head:
            cycle.disconnected = True  # the app stops waiting for the body and writes nothing more
            cycle.message_event.set()
            if cycle.response_started:
                self.transport.close()
                return
        self._send_refusal(408, "request-timeout", message)

    def _send_refusal(self, status: int, code: str, message: str) -> None:
        """A complete error response in JSON (the app's error shape), then close the connection."""
        self._deadline = None
        body = json.dumps({"error": code, "status": status, "message": message}).encode()
        head = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS[status])]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [name + b": " + value + b"\r\n" for name, value in SECURITY_HEADERS]
        head += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(body),
                 b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        self.transport.close()


class HeadWithBody:
    """One response's transport: its first write (the head) waits for the next (the body), or for the loop's next
    turn, and leaves with it; every other call goes to the connection's transport."""

    JOIN_BYTES = 1 << 16
    """A body up to this size is joined to the head (copied once); a larger one follows it in a second write."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._first = True

    def write(self, data: bytes) -> None:
        if self._first:
            self._first = False
            self._held = bytes(data)
            self._loop.call_soon(self._flush)
            return
        held, self._held = self._held, None
        if held and len(data) <= self.JOIN_BYTES:
            self._transport.write(held + data)
            return
        if held:
            self._transport.write(held)
        self._transport.write(data)

    def _flush(self) -> None:
        held, self._held = self._held, None
        if held and not self._transport.is_closing():
            self._transport.write(held)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


def _sweep(loop: asyncio.AbstractEventLoop, state: Any) -> None:
    """Cut off every connection of the server whose request is past its deadline; run again shortly."""
    now, every = loop.time(), 1.0
    for connection in list(state.connections):
        if isinstance(connection, LimitedHttpToolsProtocol):
            every = connection.sweep_seconds
            if connection._deadline is not None and now > connection._deadline:
                connection.read_too_slow()
    loop.call_later(every, _sweep, loop, state)
