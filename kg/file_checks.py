"""Check a data file before any RDF parser reads it: size, line length, XML entities, JSON-LD nesting and contexts.

These are the inputs that make a parser exhaust memory or time (a 200 MB literal, billion laughs, a deeply nested
JSON-LD document) or fetch a URL (a remote JSON-LD ``@context``, an external XML entity or DTD). Each is refused
with the file and, where it can be told, the line, before the file is parsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from kg.errors import DataSyntaxError

LINE_FORMATS = {"turtle", "trig", "nt"}
MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How large and how deep a data file may be (settings ``KG_MAX_DATA_FILE_BYTES``, ``…_LINE_BYTES``, ``…_DEPTH``)."""

    file_bytes: int = 16 * MIB
    line_bytes: int = 1 * MIB
    depth: int = 64

    @classmethod
    def from_settings(cls) -> Limits:
        """The limits this process was configured with."""
        from kg.settings import get_settings

        settings = get_settings()
        return cls(settings.max_data_file_bytes, settings.max_data_line_bytes, settings.max_data_depth)


def read_checked(path: Path, rdf_format: str, limits: Limits) -> bytes:
    """The bytes of ``path`` once they pass every check for ``rdf_format`` (raise DataSyntaxError otherwise)."""
    try:
        size = path.stat().st_size
        if size > limits.file_bytes:
            raise DataSyntaxError(path, None, f"the file is {size:,} bytes, over the {limits.file_bytes:,}-byte limit")
        data = path.read_bytes()
    except OSError as error:
        raise DataSyntaxError(path, None, f"cannot read: {error.strerror or error}") from error
    if len(data) > limits.file_bytes:  # it grew after stat
        raise DataSyntaxError(path, None, f"the file is over the {limits.file_bytes:,}-byte limit")
    if rdf_format in LINE_FORMATS:
        _check_lines(path, data, limits.line_bytes)
    if rdf_format == "xml":
        _check_xml(path, data)
    if rdf_format == "json-ld":
        _check_json_ld(path, data, limits.depth)
    return data


def _check_lines(path: Path, data: bytes, limit: int) -> None:
    """Refuse a line (and so a literal or IRI written on one line) longer than ``limit`` bytes.

    Jumps to the last line break within ``limit`` bytes each time, so a file takes about 2 * size / limit steps.
    """
    start = 0
    while len(data) - start > limit:
        last = data.rfind(b"\n", start, start + limit + 1)
        if last < 0:
            end = data.find(b"\n", start)
            length = (len(data) if end < 0 else end) - start
            line = data.count(b"\n", 0, start) + 1
            raise DataSyntaxError(path, line, f"the line is {length:,} bytes, over the {limit:,}-byte limit")
        start = last + 1


def _check_xml(path: Path, data: bytes) -> None:
    """Refuse a DTD that declares entities or names an external document; report XML that is not well formed."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(reason: str) -> None:
        raise DataSyntaxError(path, parser.CurrentLineNumber, reason)

    def doctype(name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        if system_id or public_id:
            refuse(f"the DOCTYPE names an external DTD ({system_id or public_id}); it is never fetched: remove it")

    def entity(name: str, *_: object) -> None:
        refuse(f"entity declarations are not accepted in RDF/XML (<!ENTITY {name} …>): write the text or IRI out")

    def external(*_: object) -> int:
        refuse("external entities are never fetched: remove the reference")
        return 0

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise DataSyntaxError(path, error.lineno, f"not well-formed XML: {expat.ErrorString(error.code)}") from None


def _check_json_ld(path: Path, data: bytes, depth: int) -> None:
    """Refuse JSON-LD that is nested deeper than ``depth`` or whose contexts are not inline objects."""
    try:
        text = data.decode("utf-8")
        document = json.loads(text)
    except UnicodeDecodeError as error:
        raise DataSyntaxError(path, data.count(b"\n", 0, error.start) + 1, "not UTF-8") from None
    except json.JSONDecodeError as error:
        raise DataSyntaxError(path, error.lineno, f"not JSON: {error.msg} (column {error.colno})") from None
    except RecursionError:
        raise DataSyntaxError(path, None, f"nested deeper than the limit of {depth} levels") from None
    for level, key, value in _walk(document):
        if level > depth:
            raise DataSyntaxError(path, None, f"nested deeper than the limit of {depth} levels")
        if key == "@context":
            for remote in _remote_contexts(value):
                raise DataSyntaxError(
                    path, _line_of(text, remote), f"remote JSON-LD context {remote!r}: contexts are never fetched; inline it"
                )
        if key == "@import":
            raise DataSyntaxError(
                path, _line_of(text, str(value)), f"JSON-LD @import {value!r}: contexts are never fetched; inline it"
            )


def _walk(document: object) -> Iterator[tuple[int, str | None, object]]:
    """Every value of a JSON document with its nesting level and the key it sits under, without recursion."""
    stack: list[tuple[int, str | None, object]] = [(1, None, document)]
    while stack:
        level, key, value = stack.pop()
        yield level, key, value
        if isinstance(value, dict):
            stack.extend((level + 1, k, v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((level + 1, key, v) for v in value)


def _remote_contexts(context: object) -> list[str]:
    """The context references a processor would have to load (strings, alone or in an array)."""
    items = context if isinstance(context, list) else [context]
    return [item for item in items if isinstance(item, str)]


def _line_of(text: str, needle: str) -> int | None:
    """The line where ``needle`` first appears in ``text`` (as written in JSON), if it does."""
    for written in (json.dumps(needle), json.dumps(needle, ensure_ascii=False), needle):
        found = text.find(written)
        if found >= 0:
            return text.count("\n", 0, found) + 1
    return None
