"""What an incident's page adds to its description: its systems' technology, purpose and sector, the same incident in
other databases (SKOS matches), and the databases that record it; read with ``incident-page.rq`` and
``incident-matches.rq``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import SKOS

from kg import queries
from kg.describe import local_path
from kg.display import Ref
from kg.store import Solutions, TripleStore

MATCHES = {str(SKOS.exactMatch): "same incident", str(SKOS.closeMatch): "close match",
           str(SKOS.relatedMatch): "related incident"}
"""How each SKOS mapping between incidents reads on a page, strongest first."""
PROFILE = (("technology", "Technology"), ("purpose", "Purpose"), ("sector", "Sector"))


@dataclass(frozen=True)
class Match:
    """An incident of another record (or of the same one) matched to this one."""

    ref: Ref
    relation: str
    identifier: str
    databases: tuple[str, ...]
    web: str | None


@dataclass(frozen=True)
class Database:
    """A database that records the incident itself, and the datasets of it that do."""

    ref: Ref
    datasets: tuple[str, ...]


@dataclass
class IncidentProfile:
    """The parts of an incident's page that its own description does not hold."""

    profile: list[tuple[str, list[Ref]]] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    databases: list[Database] = field(default_factory=list)


def _ref(iri: str, label: str | None) -> Ref:
    return Ref(iri, label or iri.rstrip("/").rsplit("/", 1)[-1], local_path(iri))


def incident_profile(store: TripleStore, iri: URIRef) -> IncidentProfile:
    """The technology, purpose and sector of the incident's systems, its matches and its databases."""
    rows = []
    for name in ("incident-page", "incident-matches"):
        result = store.query(queries.load(name), {"incident": iri})
        assert isinstance(result, Solutions)
        rows += result.rows
    tags: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    matches: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    databases: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        kind, value = str(row["field"]), str(row["value"])
        target = matches[value] if kind == "match" else databases[value] if kind == "database" else tags[kind]
        if kind not in ("match", "database"):
            target[value].update([str(row["label"])] if row.get("label") is not None else [])
            continue
        for name in ("label", "predicate", "notation", "database", "web"):
            if row.get(name) is not None:
                target[name].add(str(row[name]))
    found = IncidentProfile()
    for kind, title in PROFILE:
        refs = [_ref(v, min(labels) if labels else None) for v, labels in tags.get(kind, {}).items()]
        if refs:
            found.profile.append((title, sorted(refs, key=lambda r: r.label.lower())))
    order = list(MATCHES)
    for value, facts in matches.items():
        predicate = min(facts["predicate"], key=order.index)
        identifier = min(facts["notation"], default=value.rsplit("/", 1)[-1])
        found.matches.append(Match(_ref(value, min(facts["label"], default=identifier)), MATCHES[predicate], identifier,
                                   tuple(sorted(facts["database"])), min(facts["web"], default=None)))
    found.matches.sort(key=lambda m: (order.index(next(k for k, v in MATCHES.items() if v == m.relation)), m.identifier))
    found.databases = sorted((Database(_ref(v, min(f["label"], default=None)), tuple(sorted(f["notation"])))
                              for v, f in databases.items()), key=lambda d: d.ref.label.lower())
    return found
