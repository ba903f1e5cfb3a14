"""Citations of an incident as BibTeX, RIS and CSL-JSON: its stable IRI, title, date at its precision, the
source databases that record it, and the date it was accessed; the data read with ``cite.rq``.

>>> c = Citation("https://w3id.org/ai-incidents/id/incident/X1", "X1", "A {bad} 50% title", "2019-08",
...              ("AIAAIC",), ("AIAAIC Repository export 2026-05",))
>>> print(bibtex(c, date(2026, 1, 2)).splitlines()[1])
  title = {A \\{bad\\} 50\\% title},
>>> csl_json(c, date(2026, 1, 2))["issued"]
{'date-parts': [[2019, 8]]}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from rdflib import URIRef

from kg import queries
from kg.errors import NotFound
from kg.store import Solutions, TripleStore

PUBLISHER = "AI Incidents knowledge graph"
_BIBTEX_SPECIAL = re.compile(r"([{}%&$#_\\^~])")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class Citation:
    """What a citation of one incident says."""

    iri: str
    identifier: str
    title: str
    date: str  # the most precise date known: YYYY, YYYY-MM or YYYY-MM-DD ("" when none)
    databases: tuple[str, ...]
    datasets: tuple[str, ...]

    @property
    def date_parts(self) -> list[int]:
        return [int(part) for part in self.date.split("-")[:3] if part.isdigit()]


def citation(store: TripleStore, iri: str) -> Citation:
    """Read what a citation of incident ``iri`` needs from the store; NotFound if it is no incident."""
    result = store.query(queries.load("cite"), {"incident": URIRef(iri)})
    assert isinstance(result, Solutions)
    values: dict[str, set[str]] = {}
    for row in result.rows:
        values.setdefault(str(row["field"]), set()).add(str(row["value"]))
    if not values:
        raise NotFound(f"no incident {iri}")
    dates = sorted(values.get("date", ()), key=lambda d: (-len(d), d))  # most precise first
    identifiers = sorted(values.get("identifier", ()), key=lambda n: (n not in iri, n))
    return Citation(iri, identifiers[0] if identifiers else iri.rsplit("/", 1)[-1],
                    min(values.get("title", {identifiers[0] if identifiers else iri})),
                    dates[0] if dates else "", tuple(sorted(values.get("database", ()))),
                    tuple(sorted(values.get("dataset", ()))))


def _brace(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text)


def bibtex(c: Citation, accessed: date) -> str:
    """A BibTeX ``@misc`` entry keyed by the incident's identifier."""
    key = re.sub(r"[^A-Za-z0-9:_-]", "", c.identifier) or "incident"
    fields = [("title", c.title), ("author", " and ".join(f"{{{db}}}" for db in c.databases) or PUBLISHER)]
    parts = c.date_parts
    if parts:
        fields.append(("year", str(parts[0])))
    if len(parts) > 1:
        fields.append(("month", _MONTHS[parts[1] - 1]))
    fields += [("howpublished", f"{PUBLISHER}, from {'; '.join(c.datasets) or 'curated data'}"),
               ("url", c.iri), ("urldate", accessed.isoformat()),
               ("note", f"Incident {c.identifier}. Accessed {accessed.isoformat()}")]

    def value(name: str, text: str) -> str:
        if name == "month":
            return text
        if name == "author" and c.databases:
            return "{" + " and ".join(f"{{{_brace(db)}}}" for db in c.databases) + "}"
        return "{" + (text if name == "url" else _brace(text)) + "}"

    body = ",\n".join(f"  {name} = {value(name, text)}" for name, text in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def ris(c: Citation, accessed: date) -> str:
    """An RIS record (type DBASE: an entry of an online database)."""
    lines = [("TY", "DBASE"), ("ID", c.identifier), ("TI", c.title)]
    lines += [("AU", db) for db in c.databases]
    parts = c.date_parts
    if parts:
        lines.append(("PY", str(parts[0])))
        lines.append(("DA", "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts)) + "/" * (4 - len(parts))))
    lines += [("DB", dataset) for dataset in c.datasets]
    lines += [("PB", PUBLISHER), ("UR", c.iri), ("Y2", accessed.strftime("%Y/%m/%d")), ("ER", "")]
    return "".join(f"{tag}  - {text}\r\n" for tag, text in lines)


def csl_json(c: Citation, accessed: date) -> dict[str, Any]:
    """A CSL-JSON item (one object; a CSL-JSON document is a list of them)."""
    item: dict[str, Any] = {
        "id": c.identifier,
        "type": "entry",
        "title": c.title,
        "URL": c.iri,
        "publisher": PUBLISHER,
        "container-title": "; ".join(c.datasets) or PUBLISHER,
        "author": [{"literal": db} for db in c.databases],
        "accessed": {"date-parts": [[accessed.year, accessed.month, accessed.day]]},
        "note": f"Incident {c.identifier}",
    }
    if c.date_parts:
        item["issued"] = {"date-parts": [c.date_parts]}
    return item


FORMATS = {
    "bib": ("BibTeX", "application/x-bibtex"),
    "ris": ("RIS", "application/x-research-info-systems"),
    "json": ("CSL-JSON", "application/vnd.citationstyles.csl+json"),
}
"""The citation formats by file extension: name and media type."""


def write(c: Citation, accessed: date, extension: str) -> str:
    """The citation in the format of ``extension`` (a key of :data:`FORMATS`); a CSL-JSON document is a list."""
    if extension == "bib":
        return bibtex(c, accessed)
    if extension == "ris":
        return ris(c, accessed)
    if extension == "json":
        return json.dumps([csl_json(c, accessed)], ensure_ascii=False, indent=2) + "\n"
    raise NotFound(f"no citation format '.{extension}': there are {', '.join('.' + e for e in FORMATS)}")
