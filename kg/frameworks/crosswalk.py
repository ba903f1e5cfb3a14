"""Read the crosswalks (data/links/framework-*.csv): each framework's fields, how our graph fills them, and why."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import DataSyntaxError, NotFound
from kg.resources import packaged_data_dir

FRAMEWORKS = {
    "oecd-crf": "OECD common reporting framework for AI incidents (2025)",
    "eu-ai-act-73": "EU AI Act Article 73 serious-incident report, draft template v1.0.0 (2025-09-26)",
}
STATUSES = ("direct", "partial", "derived", "unmapped")
MANDATORY = ("yes", "no", "conditional")
SOURCES = ("AIAAIC", "AIID", "OECD AIM", "MIT", "curated")
COLUMNS = ("id", "field", "section", "mandatory", "status", "query", "path", "scheme", "sources", "rationale",
           "texts", "locator")


@dataclass(frozen=True)
class Text:
    """A text a field is cited from: primary (the framework's own) or secondary (an account of it)."""

    key: str
    kind: str
    title: str
    publisher: str
    date: str
    url: str
    found: bool
    note: str


@dataclass(frozen=True)
class Field:
    """One field of a framework and how our graph fills it (``queries`` empty when unmapped)."""

    id: str
    name: str
    section: str
    mandatory: str
    status: str
    queries: tuple[str, ...]
    path: str
    scheme: str
    sources: tuple[str, ...]
    rationale: str
    texts: tuple[str, ...]
    locator: str

    @property
    def required(self) -> bool:
        return self.mandatory == "yes"


@dataclass(frozen=True)
class Crosswalk:
    """A framework's fields in the framework's order, and the texts they are cited from."""

    framework: str
    title: str
    fields: tuple[Field, ...]
    texts: dict[str, Text]

    def queries(self) -> list[str]:
        """The field queries this framework needs, each once, in field order."""
        return list(dict.fromkeys(name for f in self.fields for name in f.queries))

    def citations(self, field: Field) -> list[Text]:
        return [self.texts[key] for key in field.texts]


def links_dir() -> Path:
    """The folder of the crosswalk files (the packaged data's links/)."""
    return packaged_data_dir() / "links"


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise DataSyntaxError(path, 1, f"missing column(s): {', '.join(missing)}")
            return [(number, row) for number, row in enumerate(reader, start=2)]
    except OSError as error:
        raise NotFound(f"cannot read {path}: {error}") from error


@lru_cache(maxsize=1)
def texts() -> dict[str, Text]:
    """The cited texts by key (data/links/framework-texts.csv)."""
    columns = ("key", "kind", "title", "publisher", "date", "url", "found", "note")
    rows = _rows(links_dir() / "framework-texts.csv", columns)
    return {row["key"]: Text(row["key"], row["kind"], row["title"], row["publisher"], row["date"], row["url"],
                             row["found"] == "yes", row["note"]) for _, row in rows}


def _field(path: Path, line: int, row: dict[str, str], known_texts: dict[str, Text]) -> Field:
    def check(column: str, allowed: tuple[str, ...]) -> str:
        if row[column] not in allowed:
            raise DataSyntaxError(path, line, f"[{column}] {row[column]!r} is not one of {', '.join(allowed)}")
        return row[column]

    status = check("status", STATUSES)
    split = lambda column: tuple(v.strip() for v in row[column].split(";") if v.strip())
    queries, sources, cited = split("query"), split("sources"), split("texts")
    if (status == "unmapped") != (not queries):
        raise DataSyntaxError(path, line, f"[query] an {status} field must {'not ' if status == 'unmapped' else ''}name a query")
    for source in sources:
        if source not in SOURCES:
            raise DataSyntaxError(path, line, f"[sources] unknown source {source!r}")
    for key in cited:
        if key not in known_texts:
            raise DataSyntaxError(path, line, f"[texts] unknown text {key!r} (see framework-texts.csv)")
    return Field(row["id"], row["field"], row["section"], check("mandatory", MANDATORY), status, queries,
                 row["path"], row["scheme"], sources, row["rationale"], cited, row["locator"])


@lru_cache(maxsize=None)
def crosswalk(framework: str) -> Crosswalk:
    """The crosswalk of ``framework`` (one of FRAMEWORKS)."""
    if framework not in FRAMEWORKS:
        raise NotFound(f"no framework named {framework!r} (known: {', '.join(FRAMEWORKS)})")
    path = links_dir() / f"framework-crosswalk-{framework}.csv"
    known = texts()
    fields = tuple(_field(path, line, row, known) for line, row in _rows(path, COLUMNS))
    return Crosswalk(framework, FRAMEWORKS[framework], fields, known)


@lru_cache(maxsize=1)
def severity_mapping() -> dict[str, tuple[str, str]]:
    """CSET AI harm level concept IRI -> (OECD severity or "", rationale), from data/links/framework-severity.csv."""
    rows = _rows(links_dir() / "framework-severity.csv", ("source_concept", "source_label", "oecd_severity", "rationale"))
    return {row["source_concept"]: (row["oecd_severity"], row["rationale"]) for _, row in rows}
