"""What a person may submit, read from JSON into typed values, with every problem named at its field.

Reading is bounded before anything is kept: the document's size and depth, each text's length, the number of
list items (sources, organisations, concepts). URLs are checked for form only (http or https) and never fetched.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from kg.errors import KgError

MAX_DOCUMENT_BYTES = 64 * 1024
MAX_DEPTH = 6
MAX_TEXT = {"title": 300, "description": 10_000, "problem": 5_000, "proposed": 5_000, "name": 200, "url": 2_000,
            "publisher": 200, "system": 300, "submitter": 200}
MAX_ITEMS = {"sources": 20, "deployers": 20, "developers": 20, "countries": 30, "ethical_issues": 20, "harms": 20,
             "technologies": 10, "sectors": 10}
WHEN = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?(/(\d{4}(-\d{2}(-\d{2})?)?)?)?$")
"""A year, year-month or day, or an interval ``start/end`` (end optional: still going) at any of those precisions."""
DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
KINDS = ("incident", "correction")


@dataclass(frozen=True)
class FieldProblem:
    """One problem with one field of a submission (``field`` as the form names it, e.g. ``sources[0].url``)."""

    field: str
    message: str


class InvalidSubmission(KgError):
    """A submission that cannot be accepted as sent: its problems, each at its field."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))

    def __reduce__(self) -> tuple[type, tuple[list[FieldProblem]]]:
        return (type(self), (self.problems,))


@dataclass(frozen=True)
class SourceRef:
    """Where the submitted statement can be checked: a URL, its publisher, its date (any precision)."""

    url: str
    publisher: str = ""
    date: str = ""


@dataclass(frozen=True)
class Submission:
    """A new incident (``kind="incident"``) or a correction to a page (``kind="correction"``)."""

    kind: str
    sources: tuple[SourceRef, ...]
    title: str = ""
    when: str = ""
    description: str = ""
    deployers: tuple[str, ...] = ()
    developers: tuple[str, ...] = ()
    system: str = ""
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()
    ethical_issues: tuple[str, ...] = ()
    harms: tuple[str, ...] = ()
    target: str = ""
    problem: str = ""
    proposed: str = ""
    submitter: str = ""
    """The name the submitter chose to be credited with; empty: pseudonymous."""
    extra: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)


def _depth(value: Any, level: int = 0) -> int:
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


class _Reader:
    """Takes fields off a JSON object, noting each problem instead of stopping at the first."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[FieldProblem] = []

    def problem(self, name: str, message: str) -> None:
        self.problems.append(FieldProblem(name, message))

    def text(self, name: str, *, required: bool = False, limit_key: str | None = None, value: Any = None,
             where: str | None = None) -> str:
        raw = self.data.get(name) if value is None else value
        where = where or name
        if raw is None or raw == "":
            if required:
                self.problem(where, "required")
            return ""
        if not isinstance(raw, str):
            self.problem(where, "must be text")
            return ""
        text = raw.strip()
        limit = MAX_TEXT.get(limit_key or name, 1_000)
        if len(text) > limit:
            self.problem(where, f"at most {limit} characters (got {len(text)})")
            return ""
        if any((ord(c) < 32 and c not in "\n\t") or 0xD800 <= ord(c) <= 0xDFFF for c in text):
            self.problem(where, "contains control characters or unpaired surrogates")
            return ""
        if required and not text:
            self.problem(where, "required")
        return text

    def texts(self, name: str) -> tuple[str, ...]:
        raw = self.data.get(name, [])
        if isinstance(raw, str):
            raw = [part for part in raw.split("\n") if part.strip()]
        if not isinstance(raw, list):
            self.problem(name, "must be a list of texts")
            return ()
        if len(raw) > MAX_ITEMS.get(name, 20):
            self.problem(name, f"at most {MAX_ITEMS.get(name, 20)} items (got {len(raw)})")
            return ()
        values = [self.text(name, value=item, limit_key="name", where=f"{name}[{i}]") for i, item in enumerate(raw)]
        return tuple(dict.fromkeys(v for v in values if v))

    def sources(self) -> tuple[SourceRef, ...]:
        raw = self.data.get("sources")
        if not isinstance(raw, list) or not raw:
            self.problem("sources", "at least one source (URL, publisher, date) is required")
            return ()
        if len(raw) > MAX_ITEMS["sources"]:
            self.problem("sources", f"at most {MAX_ITEMS['sources']} sources (got {len(raw)})")
            return ()
        found = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                self.problem(f"sources[{i}]", "must be an object with url, publisher, date")
                continue
            url = self.text("url", value=item.get("url"), required=True, where=f"sources[{i}].url")
            if url and not URL.match(url):
                self.problem(f"sources[{i}].url", "must be an http:// or https:// URL")
            publisher = self.text("publisher", value=item.get("publisher") or "", where=f"sources[{i}].publisher")
            date = self.text("date", value=item.get("date") or "", where=f"sources[{i}].date")
            if date and not DATE.match(date):
                self.problem(f"sources[{i}].date", "a year, year-month or date: YYYY, YYYY-MM or YYYY-MM-DD")
            found.append(SourceRef(url, publisher, date))
        return tuple(found)


def read_submission(body: bytes | str) -> Submission:
    """The submission in a JSON document, or InvalidSubmission listing every problem at its field.

    >>> read_submission('{"kind": "correction", "target": "https://w3id.org/ai-incidents/id/incident/AIAAIC0288",'
    ...   '"problem": "x", "proposed": "y", "sources": [{"url": "https://example.org/a"}]}').kind
    'correction'
    >>> read_submission('{"kind": "incident", "sources": []}')  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.submissions.model.InvalidSubmission: sources: at least one source ...; title: required; when: required
    """
    size = len(body.encode() if isinstance(body, str) else body)
    if size > MAX_DOCUMENT_BYTES:
        raise InvalidSubmission([FieldProblem("(document)", f"at most {MAX_DOCUMENT_BYTES} bytes (got {size})")])
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise InvalidSubmission([FieldProblem("(document)", f"not JSON: {error}")]) from None
    if not isinstance(data, dict):
        raise InvalidSubmission([FieldProblem("(document)", "must be a JSON object")])
    if _depth(data) > MAX_DEPTH:
        raise InvalidSubmission([FieldProblem("(document)", f"nested deeper than {MAX_DEPTH} levels")])
    reader = _Reader(data)
    kind = data.get("kind")
    if kind not in KINDS:
        raise InvalidSubmission([FieldProblem("kind", f"must be one of {', '.join(KINDS)}")])
    sources = reader.sources()
    common = {"kind": kind, "sources": sources, "submitter": reader.text("submitter")}
    if kind == "incident":
        title = reader.text("title", required=True)
        when = reader.text("when", required=True)
        if when and not WHEN.match(when):
            reader.problem("when", "a year, month or day (YYYY, YYYY-MM, YYYY-MM-DD), or an interval START/END")
        submission = Submission(
            **common, title=title, when=when,
            description=reader.text("description"), deployers=reader.texts("deployers"),
            developers=reader.texts("developers"), system=reader.text("system"), countries=reader.texts("countries"),
            sectors=reader.texts("sectors"), technologies=reader.texts("technologies"),
            ethical_issues=reader.texts("ethical_issues"), harms=reader.texts("harms"),
        )
    else:
        target = reader.text("target", required=True, limit_key="url")
        if target and not target.startswith("https://w3id.org/ai-incidents/id/"):
            reader.problem("target", "must be the IRI of a page of this graph (https://w3id.org/ai-incidents/id/…)")
        submission = Submission(**common, target=target, problem=reader.text("problem", required=True),
                                proposed=reader.text("proposed"))
    if reader.problems:
        raise InvalidSubmission(reader.problems)
    return submission
