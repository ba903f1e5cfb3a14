"""Dates at the precision the source gives: a year, a month, a day, a range of years or an open range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rdflib import Literal
from rdflib.namespace import XSD

_YEAR = r"(1[89]\d\d|20\d\d)"
_PATTERNS = (
    (re.compile(rf"^{_YEAR}$"), XSD.gYear),
    (re.compile(rf"^{_YEAR}-(0[1-9]|1[0-2])$"), XSD.gYearMonth),
)
_RANGE = re.compile(rf"^{_YEAR}\s*[-–]\s*({_YEAR})?$")


@dataclass(frozen=True)
class When:
    """When something occurred: a single value (``occurred``) or an interval (``start``, optional ``end``)."""

    occurred: Literal | None = None
    start: Literal | None = None
    end: Literal | None = None


def iso_date(text: str) -> Literal:
    """An ISO ``YYYY-MM-DD`` string as an xsd:date literal; ValueError if it is not a real date.

    >>> iso_date("2019-08-14")
    rdflib.term.Literal('2019-08-14', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#date'))
    """
    value = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"not an ISO date (YYYY-MM-DD): {text!r}")
    try:
        date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"not a real date: {text!r} ({error})") from None
    return Literal(value, datatype=XSD.date)


def partial_date(text: str) -> Literal:
    """A year (xsd:gYear), a month (xsd:gYearMonth) or a day (xsd:date); ValueError otherwise.

    >>> partial_date("2019").datatype == XSD.gYear
    True
    """
    value = text.strip()
    for pattern, datatype in _PATTERNS:
        if pattern.match(value):
            return Literal(value, datatype=datatype)
    return iso_date(value)


def occurrence(text: str) -> When:
    """Parse AIAAIC's ``Occurred``: ``2019``, ``2019-08``, ``2019-2024`` (closed) or ``2023-`` (open).

    Empty means unknown (an empty When); anything else raises ValueError with the reason.

    >>> occurrence("2023-").start, occurrence("2023-").end
    (rdflib.term.Literal('2023', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#gYear')), None)
    """
    value = text.strip()
    if not value:
        return When()
    match = _RANGE.match(value)
    if match:
        first, last = match.group(1), match.group(3)
        if last and int(last) < int(first):
            raise ValueError(f"range ends before it starts: {text!r}")
        end = Literal(last, datatype=XSD.gYear) if last else None
        return When(start=Literal(first, datatype=XSD.gYear), end=end)
    try:
        return When(occurred=partial_date(value))
    except ValueError:
        raise ValueError(
            f"not a date: {text!r} (expected a year 2019, a range 2019-2024, an open range 2023- or an ISO date)"
        ) from None
