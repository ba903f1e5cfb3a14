"""Coverage of each framework field: how many incidents of each source database can fill it, from the graph."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from kg.frameworks.crosswalk import FRAMEWORKS, SOURCES, crosswalk
from kg.frameworks.records import field_entry
from kg.frameworks.values import RunQuery, collect, incident_sources

COVERAGE_FILE = "frameworks-coverage.json"


def coverage(run: RunQuery) -> dict[str, Any]:
    """Per framework and field, the incidents of each source whose own graphs give the field a value.

    An incident counts for a source when that source's graphs describe it; it fills a field for that source when
    one of the field's values is stated in that source's graphs (severity: only values the mapping grades).
    """
    sources = incident_sources(run)
    totals = Counter(source for found in sources.values() for source in found)
    walks = [crosswalk(name) for name in FRAMEWORKS]
    values = collect(list(dict.fromkeys(q for walk in walks for q in walk.queries())), run)
    frameworks: dict[str, list[dict[str, Any]]] = {}
    for walk in walks:
        rows = []
        for field in walk.fields:
            counts: Counter[str] = Counter()
            filled = 0
            if field.queries:
                for incident, own in sources.items():
                    entry = field_entry(field, values.get(incident, {}))
                    stated = {s for value in entry["values"] for s in value["sources"]}  # type: ignore[attr-defined]
                    counts.update(stated & own)
                    filled += bool(entry["values"])
            rows.append({"id": field.id, "field": field.name, "mandatory": field.mandatory, "status": field.status,
                         "counts": {s: counts[s] for s in SOURCES}, "any": filled})
        frameworks[walk.framework] = rows
    return {"incidents": {s: totals[s] for s in SOURCES}, "all": len(sources), "frameworks": frameworks}


def write(found: dict[str, Any], folder: Path) -> Path:
    """Write the coverage figures as JSON into ``folder`` (the build's folder)."""
    path = folder / COVERAGE_FILE
    path.write_text(json.dumps(found, indent=1) + "\n", encoding="utf-8")
    return path


def read(folder: Path) -> dict[str, Any] | None:
    """The coverage figures a build wrote into ``folder``, or None when it wrote none."""
    path = folder / COVERAGE_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def table(found: dict[str, Any], framework: str) -> str:
    """A Markdown table of one framework's coverage: incidents per source that can fill each field."""
    incidents = found["incidents"]
    head = ["#", "field", "mandatory", "status"] + [f"{s} ({incidents[s]:,})" for s in SOURCES] + [f"any ({found['all']:,})"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * 4 + ["---:"] * (len(SOURCES) + 1)) + "|"]
    for row in found["frameworks"][framework]:
        counts = [f"{row['counts'][s]:,}" if incidents[s] else "" for s in SOURCES]
        mandatory = {"yes": "✔", "no": "", "conditional": "if applicable"}[row["mandatory"]]
        lines.append("| " + " | ".join([row["id"], row["field"], mandatory, row["status"]] + counts + [f"{row['any']:,}"]) + " |")
    return "\n".join(lines)
