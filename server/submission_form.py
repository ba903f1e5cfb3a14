"""The submission form's fields to the JSON document the API takes, and the API's problems back to form fields."""

from __future__ import annotations

import json
from collections.abc import Mapping

SOURCE_ROWS = 3
LIST_FIELDS = ("deployers", "developers", "countries", "sectors", "technologies", "ethical_issues", "harms")
TEXT_FIELDS = ("kind", "title", "when", "description", "system", "target", "problem", "proposed", "submitter")


def document_from_form(form: Mapping[str, str]) -> str:
    """The JSON submission a filled form stands for: lists from one-per-line text areas, up to three sources."""
    document: dict[str, object] = {name: form.get(name, "") for name in TEXT_FIELDS}
    for name in LIST_FIELDS:
        document[name] = [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
    document["sources"] = [
        {"url": form.get(f"source_url_{n}", "").strip(), "publisher": form.get(f"source_publisher_{n}", "").strip(),
         "date": form.get(f"source_date_{n}", "").strip()}
        for n in range(SOURCE_ROWS)
        if any(form.get(f"source_{part}_{n}", "").strip() for part in ("url", "publisher", "date"))
    ]
    return json.dumps(document, ensure_ascii=False)


def form_field(problem_field: str) -> str:
    """The form field a problem is about: ``sources[1].url`` → ``source_url_1``, ``deployers[2]`` → ``deployers``.

    >>> form_field("sources[1].url"), form_field("deployers[2]"), form_field("title")
    ('source_url_1', 'deployers', 'title')
    """
    if problem_field.startswith("sources[") and "]." in problem_field:
        number, part = problem_field.removeprefix("sources[").split("].", 1)
        return f"source_{part}_{number}"
    return problem_field.split("[", 1)[0] if problem_field != "sources" else "source_url_0"
