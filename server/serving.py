"""How uvicorn runs the app, in one place for ``kg serve`` and the test servers: our HTTP protocol, no proxy headers.

uvicorn's httptools protocol is replaced by :class:`server.http_limits.LimitedHttpToolsProtocol` (request-line,
header and read-time limits). uvicorn's own ``X-Forwarded-For`` handling is off (it trusts loopback by default):
the client is the peer address, and only :func:`server.client_address.client_address` reads forwarded headers,
from ``KG_TRUSTED_PROXIES``.
"""

from __future__ import annotations

from typing import Any

HTTP_PROTOCOL = "server.http_limits:LimitedHttpToolsProtocol"
KEEP_ALIVE_SECONDS = 5


def uvicorn_options(access_log: bool = False) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config`` (``access_log``: a line per request)."""
    return {
        "access_log": access_log,
        "http": HTTP_PROTOCOL,
        "proxy_headers": False,
        "forwarded_allow_ips": "",
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
    }


def uvicorn_arguments() -> list[str]:
    """The same options as ``python -m uvicorn`` command-line arguments."""
    return ["--http", HTTP_PROTOCOL, "--no-proxy-headers", "--forwarded-allow-ips", "",
            "--timeout-keep-alive", str(KEEP_ALIVE_SECONDS)]
