"""The browse lists of the Linked Data pages: an organisation's, AI system's or concept's incidents (filtered,
sorted, charted per year, downloadable as CSV) and a concept's matches in other taxonomies."""

from __future__ import annotations

import asyncio
from collections.abc import Hashable

from fastapi import Request
from rdflib import SKOS, URIRef

from kg.describe import local_path
from kg.namespaces import KG
from kg.store import Solutions
from server import charts
from server.executor import Executor
from server.jobs import NamedQuery, pairs

BROWSED = {str(KG.Organisation), str(KG.AISystem), str(SKOS.Concept), str(KG.Person)}
FILTERS = ("country", "sector", "technology", "role")
SORTS = ("year", "id", "title", "countries", "databases", "roles")


def browsed(kinds: list) -> bool:  # type: ignore[type-arg]
    """Whether a page of these kinds (its rdf:type refs) lists incidents."""
    return any(kind.iri in BROWSED for kind in kinds)


def bindings(about: str, request: Request) -> dict[str, URIRef]:
    """``about`` and the filters the query string sets (IRIs only)."""
    chosen = {"about": URIRef(about)}
    for name in FILTERS:
        value = request.query_params.get(name, "").strip()
        if value.startswith("https://"):
            chosen[name] = URIRef(value)
    return chosen


def _text(rows: list[dict]) -> list[dict[str, str]]:  # type: ignore[type-arg]
    return [{k: str(v) for k, v in row.items()} for row in rows]


async def context(request: Request, executor: Executor, client: Hashable, about: str, concept: bool) -> dict[str, object]:
    """What browse.html shows beyond the resource page: the list, its filters, chart, CSV and SPARQL links."""
    bound = bindings(about, request)
    incidents = NamedQuery("browse/incidents", pairs(bound), as_values=True)
    jobs = [incidents, NamedQuery("browse/facets", pairs({"about": URIRef(about)}), as_values=True)]
    if concept:
        jobs.append(NamedQuery("browse/matches", pairs({"concept": URIRef(about)}), as_values=True))
    results = await asyncio.gather(*(executor.run(job, client) for job in jobs))  # in parallel, on the client's workers
    assert all(isinstance(result, Solutions) for result in results)
    rows = _text(results[0].rows)  # type: ignore[attr-defined]
    sort = request.query_params.get("sort", "year")
    key = sort.lstrip("-") if sort.lstrip("-") in SORTS else "year"
    rows.sort(key=lambda r: (r.get(key, "") or "", r.get("id", "")), reverse=not sort.startswith("-") if key == "year" else sort.startswith("-"))
    facets: dict[str, list[dict[str, str]]] = {}
    for row in _text(results[1].rows):  # type: ignore[attr-defined]
        facets.setdefault(row["facet"], []).append(row)
    matches: list[dict[str, str]] = []
    if concept:
        matches = [{**row, "href": local_path(row["match"]) or row["match"]} for row in _text(results[2].rows)]  # type: ignore[attr-defined]
    for row in rows:
        row["href"] = local_path(row["incident"]) or row["incident"]
    columns, step = charts.columns(charts.per_year(rows), ["incidents"])
    text = incidents.text()
    query = {name: str(value) for name, value in bound.items()}
    return {"rows": rows, "facets": facets, "chosen": {k: str(v) for k, v in bound.items() if k != "about"},
            "sort": sort, "years": columns, "year_step": step, "sparql": charts.query_link(text),
            "csv": "/browse/incidents.csv?" + "&".join(f"{k}={charts.quote(v)}" for k, v in query.items()),
            "matches": matches}


def scheme_tree(rows: list[dict], counts: list[dict]) -> list[dict[str, object]]:  # type: ignore[type-arg]
    """A scheme's concepts (rows of scheme-concepts.rq, by label) as a tree for its page: each with its label, local
    link, incident count (scheme-counts.rq) and the concepts narrower than it in the same scheme, nested under it."""
    counted = {str(row["concept"]): int(row["incidents"]) for row in counts}
    nodes = {str(row["concept"]): {"iri": str(row["concept"]), "label": str(row.get("label") or row["concept"]),
                                   "href": local_path(str(row["concept"])) or str(row["concept"]),
                                   "incidents": counted.get(str(row["concept"]), 0), "narrower": []} for row in rows}
    top: list[dict[str, object]] = []
    for row in rows:
        parent = str(row.get("broader", ""))
        node = nodes[str(row["concept"])]
        siblings = nodes[parent]["narrower"] if parent in nodes and parent != node["iri"] else top
        siblings.append(node)  # type: ignore[union-attr]
    return top
