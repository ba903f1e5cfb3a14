"""Read the incidents to link from a store: one record per incident, every title and description its sources give."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import URIRef

from kg import queries
from kg.store import Solutions, TripleStore

DATABASES = {"AIAAIC": "AIAAIC", "AIID-": "AIID", "OECD-": "OECD"}
WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")


@dataclass
class IncidentRecord:
    """What linking compares about one incident: texts, the earliest year, organisations, places, systems."""

    iri: URIRef
    key: str
    database: str
    titles: set[str] = field(default_factory=set)
    descriptions: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    deployers: set[str] = field(default_factory=set)
    developers: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    parties: set[str] = field(default_factory=set)
    systems: set[str] = field(default_factory=set)

    @property
    def organisations(self) -> set[str]:
        """Every organisation the record names as deployer or developer (sources swap the two roles)."""
        return self.deployers | self.developers

    @property
    def title(self) -> str:
        """One title to show: the longest the sources give (of two as long, the first in code-point order)."""
        return max(sorted(self.titles), key=len) if self.titles else ""

    @property
    def year(self) -> int | None:
        return min(self.years) if self.years else None


def database_of(iri: str) -> str | None:
    """AIAAIC, AIID or OECD from an incident IRI's key, or None for curated or other incidents."""
    key = iri.rsplit("/", 1)[-1]
    return next((name for prefix, name in DATABASES.items() if key.startswith(prefix)), None)


def words(text: str) -> list[str]:
    """Lower-case word tokens of ``text`` (hyphenated and possessive forms kept whole, then split too)."""
    tokens: list[str] = []
    for token in WORD.findall(text.lower().replace("’", "'")):
        token = token.removesuffix("'s")
        tokens.append(token)
        if "-" in token or "'" in token:
            tokens.extend(t for t in re.split(r"['-]", token) if t)
    return tokens


def _year(value: str) -> int | None:
    match = re.match(r"(\d{4})", value)
    return int(match.group(1)) if match else None


def read_records(store: TripleStore) -> dict[URIRef, IncidentRecord]:
    """Every AIAAIC, AIID and OECD incident in ``store`` with the facts ``link-incidents.rq`` returns."""
    result = store.query(queries.load("link-incidents"))
    assert isinstance(result, Solutions)
    records: dict[URIRef, IncidentRecord] = {}
    for row in result.rows:
        iri = row["incident"]
        database = database_of(str(iri))
        if database is None or not isinstance(iri, URIRef):
            continue
        record = records.setdefault(iri, IncidentRecord(iri, str(iri).rsplit("/", 1)[-1], database))
        record.titles.add(str(row["title"]))
        if "description" in row:
            record.descriptions.add(str(row["description"]))
        for name in ("occurred", "from"):
            if name in row and (year := _year(str(row[name]))) is not None:
                record.years.add(year)
        for name, target in (("deployers", record.deployers), ("developers", record.developers),
                             ("places", record.places), ("parties", record.parties)):
            target.update(str(row.get(name, "")).split())
        record.systems.update(name for name in str(row.get("systems", "")).split(" | ") if name)
    return records
