"""uvicorn's httptools protocol with limits at the parser: request-line length (414), header bytes (431), read time (408).

The limits hold before anything reaches the app, so no header is ever buffered beyond them and no slow client keeps
a connection: the request line and headers are fed to the parser only up to their limits, and a request whose
headers (or body) do not arrive within ``read_timeout`` seconds is answered 408 and its connection closed. The
limits come from the ``KG_*`` settings of the process (``KG_MAX_URL_BYTES``, ``KG_MAX_HEADER_BYTES``,
``KG_READ_TIMEOUT``); :mod:`server.serving` names this class as uvicorn's ``http`` protocol.
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
        self.read_timeout = settings.read_timeout
        self._head_bytes = 0
        self._header_bytes = 0
        self._in_head = True
        self._refusal: tuple[int, str, str] | None = None
        self._read_timer: asyncio.TimerHandle | None = None

    # -- read time ------------------------------------------------------------------------------------------
    def _arm(self) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(self.read_timeout, self._read_too_slow)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_too_slow(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        part = "headers" if self._in_head else "body"
        message = f"the request {part} did not arrive within {self.read_timeout:g} s"
        cycle = self.cycle
        if cycle is not None and not self._in_head:
            cycle.disconnected = True  # the app stops waiting for the body and writes nothing more
            cycle.message_event.set()
            if cycle.response_started:
                self.transport.close()
                return
        self._send_refusal(408, "request-timeout", message)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a whole request is closed

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    # -- sizes ----------------------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        """Feed the parser; while in the request line and headers, never more than their limits allow."""
        if not self._in_head or self._head_bytes + len(data) <= self.max_url + self.max_headers:
            self._head_bytes += len(data)
            super().data_received(data)  # the usual case: the whole request head (or body) within the limits
            return
        view = memoryview(data)
        while view and not self.transport.is_closing():
            if not self._in_head:
                super().data_received(bytes(view))
                return
            room = self.max_url + self.max_headers - self._head_bytes
            if room <= 0:
                self._refuse_headers()
                return
            chunk, view = view[:room], view[room:]
            self._head_bytes += len(chunk)
            super().data_received(bytes(chunk))

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = self._header_bytes = 0
        self._in_head = True
        self._arm()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.max_url:
            self._refusal = (414, "uri-too-long", f"the request line is over the {self.max_url}-byte limit: "
                             "POST long queries instead (Content-Type: application/sparql-query)")
            raise _Refused

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > self.max_headers:
            self._refuse_headers(raise_=True)
        super().on_header(name, value)

    def _refuse_headers(self, raise_: bool = False) -> None:
        self._refusal = (431, "headers-too-large", f"the request headers are over the {self.max_headers}-byte limit")
        if raise_:
            raise _Refused
        self._send_refusal(*self._refusal)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._arm()  # now the body (if any) must arrive in time
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        """The parser stopped: send our refusal if a limit stopped it, else uvicorn's 400."""
        if self._refusal is not None:
            self._send_refusal(*self._refusal)
            return
        super().send_400_response(msg)

    def _send_refusal(self, status: int, code: str, message: str) -> None:
        """A complete error response in JSON (the app's error shape), then close the connection."""
        self._disarm()
        body = json.dumps({"error": code, "status": status, "message": message}).encode()
        head = [b"HTTP/1.1 %d %s\r\n" % (status, REASONS[status])]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [name + b": " + value + b"\r\n" for name, value in SECURITY_HEADERS]
        head += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(body),
                 b"connection: close\r\n\r\n"]
        self.transport.write(b"".join(head) + body)
        self.transport.close()
