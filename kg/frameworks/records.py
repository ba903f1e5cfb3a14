"""An incident as a record of a framework: its fields under the framework's names, filled only from the graph.

Unmapped fields are present, empty and marked with the reason; severity is filled only through the documented
CSET mapping (data/links/framework-severity.csv), never guessed.
"""

from __future__ import annotations

from kg.frameworks.crosswalk import Crosswalk, Field, severity_mapping
from kg.frameworks.values import Value, Values

DOCUMENT_VERSION = "1"


def _severity(values: list[Value]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """(OECD severity values, the CSET harm levels they come from with the mapping's rationale)."""
    mapping = severity_mapping()
    mapped: dict[str, dict[str, object]] = {}
    given = []
    for value in values:
        grade, rationale = mapping.get(str(value.term), ("", "not in the mapping: nothing is inferred"))
        given.append({**value.as_json(), "mapsTo": grade or None, "mapping": rationale})
        if grade:
            entry = mapped.setdefault(grade, {"value": grade, "from": [], "sources": set(), "graphs": set()})
            entry["from"].append(str(value.term))  # type: ignore[union-attr]
            entry["sources"].update(value.sources)  # type: ignore[union-attr]
            entry["graphs"].update(value.graphs)  # type: ignore[union-attr]
    out = [{**e, "sources": sorted(e["sources"]), "graphs": sorted(e["graphs"])} for e in mapped.values()]  # type: ignore[arg-type]
    return sorted(out, key=lambda e: str(e["value"])), given


def field_entry(field: Field, found: dict[str, list[Value]]) -> dict[str, object]:
    """One field of a record: its id and status, and its values with their sources and graphs (none when unmapped)."""
    entry: dict[str, object] = {"id": field.id, "status": field.status}
    values: list[dict[str, object]] = []
    if field.queries == ("severity",):
        values, given = _severity(found.get("severity", []))
        entry["sourceValues"] = given
    else:
        for name in field.queries:
            values += [{**v.as_json(), "kind": name} if len(field.queries) > 1 else v.as_json()
                       for v in found.get(name, [])]
    entry["filled"] = bool(values)
    entry["values"] = values
    return entry


def definition(field: Field) -> dict[str, object]:
    """What a field is and how the graph fills it: section, mandatory, status, path, rationale, citation."""
    found: dict[str, object] = {"id": field.id, "field": field.name, "section": field.section,
                                "mandatory": field.mandatory, "status": field.status}
    if field.path:
        found["path"] = field.path + (f" (values in {field.scheme})" if field.scheme else "")
    found.update(sources=list(field.sources), rationale=field.rationale, cite=list(field.texts), locator=field.locator)
    return found


def record(crosswalk: Crosswalk, incident: str, values: Values, sources: set[str] | None = None) -> dict[str, object]:
    """The record of ``incident`` in ``crosswalk``'s framework."""
    found = values.get(incident, {})
    fields = {f.name: field_entry(f, found) for f in crosswalk.fields}
    return {
        "incident": incident,
        "key": incident.rsplit("/", 1)[-1],
        "sourceDatabases": sorted(sources or ()),
        "fields": fields,
        "mandatoryMissing": [f.id for f in crosswalk.fields if f.required and not fields[f.name]["filled"]],
    }


def document(crosswalk: Crosswalk, records: list[dict[str, object]], version: str = "") -> dict[str, object]:
    """The export: the framework, the texts cited (primary and secondary, marked), and the records."""
    return {
        "framework": crosswalk.framework,
        "title": crosswalk.title,
        "documentVersion": DOCUMENT_VERSION,
        "dataVersion": version,
        "crosswalk": f"data/links/framework-crosswalk-{crosswalk.framework}.csv",
        "statuses": {
            "direct": "the graph holds the same concept and the value is copied",
            "partial": "the graph holds part of the concept; what is missing is said in the rationale",
            "derived": "the value follows from the graph through a documented rule (see the rationale)",
            "unmapped": "no source records it: left empty, never invented",
        },
        "fields": [definition(f) for f in crosswalk.fields],
        "texts": {key: vars(text) for key, text in crosswalk.texts.items()
                  if any(key in f.texts for f in crosswalk.fields)},
        "records": records,
    }
