"""Export incidents as records of a framework: one incident or all, from any way of running the field queries."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from rdflib import URIRef

from kg import queries
from kg.errors import NotFound
from kg.frameworks.crosswalk import crosswalk
from kg.frameworks.records import document, record
from kg.frameworks.values import SOURCES_QUERY, Row, RunQuery, Values, group, sources_from_rows


def needed(framework: str) -> list[str]:
    """The queries (kg/queries/frameworks/<name>.rq) an export of ``framework`` runs: the incidents' sources first."""
    return [SOURCES_QUERY] + crosswalk(framework).queries()


def assemble(framework: str, rows: dict[str, list[Row]], incident: URIRef | None = None,
             version: str = "") -> dict[str, Any]:
    """The export document from the rows of every query in :func:`needed` (however they were run).

    Raises NotFound for an unknown framework, or an incident the graph does not know.
    """
    walk = crosswalk(framework)
    sources = sources_from_rows(rows[SOURCES_QUERY])
    if incident is not None and str(incident) not in sources:
        raise NotFound(f"no incident <{incident}> in the graph")
    values: Values = {}
    for name in walk.queries():
        group(name, rows[name], values)
    return document(walk, [record(walk, iri, values, sources[iri]) for iri in sorted(sources)], version)


def export(run: RunQuery, framework: str, incident: URIRef | None = None, version: str = "") -> dict[str, Any]:
    """The export document of ``framework``: the record of ``incident``, or of every incident when None."""
    bindings = {"incident": incident} if incident is not None else {}
    rows = {name: run(queries.load(f"frameworks/{name}"), dict(bindings)) for name in needed(framework)}
    return assemble(framework, rows, incident, version)


@lru_cache(maxsize=None)
def schema(framework: str) -> dict[str, Any]:
    """The JSON Schema of ``framework``'s export (kg/frameworks/schemas/<framework>.schema.json)."""
    crosswalk(framework)  # says clearly when the framework is unknown
    text = (resources.files(__package__) / "schemas" / f"{framework}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def to_json(found: dict[str, Any]) -> str:
    """The export as indented UTF-8 JSON (stable key order as built)."""
    return json.dumps(found, ensure_ascii=False, indent=1) + "\n"
