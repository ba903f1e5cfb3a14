"""Export incidents as records of a framework: one incident or all, from any way of running the field queries."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from rdflib import URIRef

from kg.errors import NotFound
from kg.frameworks.crosswalk import crosswalk
from kg.frameworks.records import document, record
from kg.frameworks.values import RunQuery, collect, incident_sources


def export(run: RunQuery, framework: str, incident: URIRef | None = None, version: str = "") -> dict[str, Any]:
    """The export document of ``framework``: the record of ``incident``, or of every incident when None.

    Raises NotFound for an unknown framework, or an incident the graph does not know.
    """
    walk = crosswalk(framework)
    sources = incident_sources(run, incident)
    if incident is not None and str(incident) not in sources:
        raise NotFound(f"no incident <{incident}> in the graph")
    values = collect(walk.queries(), run, incident)
    records = [record(walk, iri, values, sources[iri]) for iri in sorted(sources)]
    return document(walk, records, version)


@lru_cache(maxsize=None)
def schema(framework: str) -> dict[str, Any]:
    """The JSON Schema of ``framework``'s export (kg/frameworks/schemas/<framework>.schema.json)."""
    crosswalk(framework)  # says clearly when the framework is unknown
    text = (resources.files(__package__) / "schemas" / f"{framework}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def to_json(found: dict[str, Any]) -> str:
    """The export as indented UTF-8 JSON (stable key order as built)."""
    return json.dumps(found, ensure_ascii=False, indent=1) + "\n"
