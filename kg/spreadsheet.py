"""The incidents as one CSV file for spreadsheets: one row per incident per source database, the main columns.

Rows and the values in each cell are sorted, so the same data always gives the same bytes. The source rows come
from ``incident-records.rq`` and ``incident-databases.rq``; countries, deployers, developers, technologies and ethical issues from the search
queries (``kg/queries/search/``), as labels joined with "; ".
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from kg import queries
from kg.search.index import collect
from kg.store import TripleStore

COLUMNS = ("iri", "source_database", "source_id", "title", "date", "countries", "deployers", "developers",
           "technologies", "ethical_issues")
_FACET_COLUMNS = {"countries": "country", "deployers": "deployer", "developers": "developer",
                  "technologies": "technology", "ethical_issues": "ethical_issue"}
SEPARATOR = "; "


def _rows(store: TripleStore, name: str) -> list[dict[str, str]]:
    data = store.query_serialized(queries.load(name), "text/csv")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def incident_rows(store: TripleStore) -> list[dict[str, str]]:
    """The rows of the CSV, sorted by IRI, source database and identifier."""
    databases = {row["graph"]: row["database"] for row in _rows(store, "incident-databases")}
    _, facets, labels = collect(store)
    cells: dict[str, dict[str, str]] = defaultdict(dict)
    for incident, values in facets.items():
        by_facet: dict[str, set[str]] = defaultdict(set)
        for facet, value in values:
            by_facet[facet].add(labels.get(value, value))
        cells[incident] = {column: SEPARATOR.join(sorted(by_facet[facet])) for column, facet in _FACET_COLUMNS.items()}
    merged: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for record in _rows(store, "incident-records"):
        if record["graph"] in databases:
            merged[(record["incident"], databases[record["graph"]])][record["field"]].add(record["value"])
    rows = []
    for (incident, database), values in sorted(merged.items()):
        dates = sorted(values["date"], key=lambda d: (-len(d), d))
        rows.append({"iri": incident, "source_database": database, "source_id": SEPARATOR.join(sorted(values["source_id"])),
                     "title": min(values["title"], default=""), "date": dates[0] if dates else "",
                     **{column: cells.get(incident, {}).get(column, "") for column in _FACET_COLUMNS}})
    return rows


def write_incidents_csv(store: TripleStore, path: Path) -> int:
    """Write the incidents CSV (UTF-8, a header row, CRLF line ends as RFC 4180 says) to ``path``; returns its rows."""
    rows = incident_rows(store)
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
