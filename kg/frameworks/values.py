"""Run the field queries (kg/queries/frameworks/*.rq) and group their rows into values per incident and query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg import queries
from kg.namespaces import GRAPH
from kg.store import Solutions, TripleStore

Row = Mapping[str, Node]
RunQuery = Callable[[str, dict[str, Node]], list[Row]]
"""(query text, bindings) -> rows; the CLI runs it on a store, the server through its executor."""

SOURCE_GRAPHS = (  # most specific first: the AIID's MIT classification counts as MIT, the rest of AIID as AIID
    ("aiid/2026-02/mit", "MIT"),
    ("mit-ai-risk/", "MIT"),
    ("curated/", "curated"),
    ("aiaaic/", "AIAAIC"),
    ("aiid/", "AIID"),
    ("oecd-aim/", "OECD AIM"),
)


def source_of(graph: str) -> str | None:
    """The source database a named graph belongs to, or None for links, derived and vocabulary graphs.

    >>> source_of("https://w3id.org/ai-incidents/graph/aiid/2026-02/mit"), source_of(str(GRAPH["derived"]))
    ('MIT', None)
    """
    local = graph.removeprefix(str(GRAPH))
    return next((name for prefix, name in SOURCE_GRAPHS if local.startswith(prefix)), None)


@dataclass
class Value:
    """One value a query found for an incident, with every graph (and so source) that states it. The same term with
    another detail (an involvement's status, an interval's end) is another value: sources that differ both stay."""

    term: Node
    detail: Node | None
    labels: set[str]
    graphs: set[str]

    @property
    def sources(self) -> list[str]:
        return sorted({s for g in self.graphs if (s := source_of(g))})

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {"value": str(self.term)}
        if isinstance(self.term, Literal) and self.term.datatype is not None:
            found["datatype"] = str(self.term.datatype)
        if self.labels:
            found["label"] = sorted(self.labels)[0]
        if self.detail is not None:
            found["detail"] = str(self.detail)
        found["sources"] = self.sources
        found["graphs"] = sorted(self.graphs)
        return found


Values = dict[str, dict[str, list[Value]]]
"""incident IRI -> query name -> values (in a stable order)."""


def group(name: str, rows: Iterable[Row], into: Values) -> None:
    """Add the rows of query ``name`` to ``into``: one Value per (incident, value term, detail)."""
    found: dict[tuple[str, Node, Node | None], Value] = {}
    for row in rows:
        incident, term, graph, detail = row.get("incident"), row.get("value"), row.get("graph"), row.get("detail")
        if incident is None or term is None or graph is None:
            continue
        value = found.setdefault((str(incident), term, detail), Value(term, detail, set(), set()))
        value.graphs.add(str(graph))
        if (label := row.get("label")) is not None:
            value.labels.add(str(label))
    order = lambda item: (item[0][0], str(item[0][1]), str(item[0][2] or ""))
    for (incident, _, _), value in sorted(found.items(), key=order):
        into.setdefault(incident, {}).setdefault(name, []).append(value)


def collect(names: Iterable[str], run: RunQuery, incident: URIRef | None = None) -> Values:
    """The values of every query in ``names``, for one incident or (``incident`` None) for all of them."""
    into: Values = {}
    bindings: dict[str, Node] = {"incident": incident} if incident is not None else {}
    for name in names:
        group(name, run(queries.load(f"frameworks/{name}"), bindings), into)
    return into


def store_runner(store: TripleStore) -> RunQuery:
    """Run queries straight on a store (the CLI and the build; the server goes through its executor)."""

    def run(text: str, bindings: dict[str, Node]) -> list[Row]:
        result = store.query(text, bindings or None)
        assert isinstance(result, Solutions)
        return result.rows

    return run


SOURCES_QUERY = "incident-sources"


def incident_sources(run: RunQuery, incident: URIRef | None = None) -> dict[str, set[str]]:
    """Incident IRI -> the source databases that say anything about it."""
    bindings: dict[str, Node] = {"incident": incident} if incident is not None else {}
    return sources_from_rows(run(queries.load(f"frameworks/{SOURCES_QUERY}"), bindings))


def sources_from_rows(rows: Iterable[Row]) -> dict[str, set[str]]:
    """Incident IRI -> source databases, from the rows of the incident-sources query."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        found[str(row["incident"])]  # every incident is listed, even one only our links describe
        if (source := source_of(str(row["graph"]))) is not None:
            found[str(row["incident"])].add(source)
    return dict(found)
