"""Serve a file as HTTP says (RFC 9110): validators, conditional requests (304, 412) and single byte ranges (206, 416).

Preconditions are evaluated in the RFC's order (If-Match, If-Unmodified-Since, If-None-Match, If-Modified-Since,
then If-Range and Range). A Range the server cannot use (another unit, bad syntax, several ranges) is ignored
and the whole file sent with 200, as the RFC allows; a satisfiable single range gets 206, none 416.
The body is streamed from the file in chunks, never read whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import Response, StreamingResponse

CHUNK = 256 * 1024
_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class FileVersion:
    """A file to send and its validators: a strong entity tag and the modification time."""

    path: Path
    media_type: str
    etag: str
    modified: float
    size: int

    @property
    def last_modified(self) -> str:
        return formatdate(self.modified, usegmt=True)


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def _weak_match(header: str, etag: str) -> bool:
    """If-None-Match: weak comparison (``W/`` ignored); ``*`` matches any current file."""
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in _tags(header))


def _strong_match(header: str, etag: str) -> bool:
    """If-Match: strong comparison (a weak tag never matches)."""
    return any(tag == "*" or tag == etag for tag in _tags(header))


def _date(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError):
        return None


def precondition_status(request: Request, version: FileVersion) -> int | None:
    """412 or 304 when a precondition says so, else None (go on and send the file)."""
    headers = request.headers
    modified = int(version.modified)
    if "if-match" in headers:
        if not _strong_match(headers["if-match"], version.etag):
            return 412
    elif (since := _date(headers.get("if-unmodified-since"))) is not None and modified > since:
        return 412
    if "if-none-match" in headers:
        if _weak_match(headers["if-none-match"], version.etag):
            return 304 if request.method in ("GET", "HEAD") else 412
    elif request.method in ("GET", "HEAD") and (since := _date(headers.get("if-modified-since"))) is not None \
            and modified <= since:
        return 304
    return None


def requested_range(request: Request, version: FileVersion) -> tuple[int, int] | None | bool:
    """The byte range to send: ``(first, last)`` inclusive; None for the whole file; False if unsatisfiable."""
    header = request.headers.get("range")
    if header is None or request.method not in ("GET", "HEAD"):
        return None
    if_range = request.headers.get("if-range")
    if if_range is not None and not _if_range_holds(if_range.strip(), version):
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first_text, last_text = match.groups()
    size = version.size
    if not first_text:
        if not last_text:
            return None
        suffix = int(last_text)
        return (max(0, size - suffix), size - 1) if suffix > 0 and size > 0 else False
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None
    if first >= size:
        return False
    return first, min(int(last_text), size - 1) if last_text else size - 1


def _if_range_holds(value: str, version: FileVersion) -> bool:
    if value.startswith(('"', "W/")):
        return value == version.etag
    return value == version.last_modified


def _stream(path: Path, first: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(first)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


def file_response(request: Request, version: FileVersion, headers: dict[str, str] | None = None) -> Response:
    """The response to a GET or HEAD of ``version``: 200, 206, 304, 412 or 416, with the right headers."""
    common = {
        "ETag": version.etag,
        "Last-Modified": version.last_modified,
        "Accept-Ranges": "bytes",
        **(headers or {}),
    }
    status = precondition_status(request, version)
    if status is not None:
        return Response(status_code=status, headers=common if status == 304 else {"ETag": version.etag})
    wanted = requested_range(request, version)
    if wanted is False:
        return Response(status_code=416, headers={**common, "Content-Range": f"bytes */{version.size}"})
    first, last, status = 0, version.size - 1, 200
    if isinstance(wanted, tuple):
        first, last, status = wanted[0], wanted[1], 206
        common["Content-Range"] = f"bytes {first}-{last}/{version.size}"
    length = max(0, last - first + 1)
    common["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=common, media_type=version.media_type)
    return StreamingResponse(_stream(version.path, first, length), status, headers=common, media_type=version.media_type)
