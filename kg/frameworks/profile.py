"""The profile report of a framework: which of its mandatory fields each incident has, by SHACL (pyshacl).

Separate from the graph's own validation: the profiles live in shapes/profiles/ (never loaded by the build), run
on a view of the graph (kg/queries/frameworks/profile-view.rq), and only report, as warnings.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import pyshacl
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH
from rdflib.term import Node

from kg import queries
from kg.frameworks.crosswalk import crosswalk
from kg.namespaces import KG
from kg.resources import shapes_dir
from kg.store import Triples, TripleStore


@dataclass(frozen=True)
class ProfileReport:
    """Per incident, the mandatory fields it lacks; and the fields no incident can have (deactivated shapes)."""

    framework: str
    checked: tuple[str, ...]
    never: tuple[str, ...]
    missing: dict[str, tuple[str, ...]]

    def lacks(self, incident: str) -> tuple[str, ...]:
        """Every mandatory field ``incident`` lacks, in the framework's order."""
        gaps = set(self.missing.get(incident, ())) | set(self.never)
        return tuple(f.id for f in crosswalk(self.framework).fields if f.id in gaps)


@lru_cache(maxsize=None)
def profile_shapes(framework: str) -> Graph:
    """The profile of ``framework`` (shapes/profiles/<framework>.shacl.ttl)."""
    crosswalk(framework)
    graph = Graph()
    graph.parse(shapes_dir() / "profiles" / f"{framework}.shacl.ttl", format="turtle")
    return graph


def view(store: TripleStore, incident: URIRef | None = None) -> Graph:
    """The part of the graph the profiles read, for one incident or for all."""
    result = store.query(queries.load("frameworks/profile-view"), {"incident": incident} if incident else None)
    assert isinstance(result, Triples)
    graph = Graph()
    for triple in result.triples:
        graph.add(triple)
    return graph


def report(framework: str, data: Graph) -> ProfileReport:
    """Validate ``data`` (a view) against the profile of ``framework``: the mandatory fields each incident lacks."""
    shapes = profile_shapes(framework)
    ids: dict[Node, str] = {shape: str(value) for shape, value in shapes.subject_objects(DCTERMS.identifier)}
    never = tuple(ids[s] for s in shapes.subjects(SH.deactivated, None) if s in ids)
    checked = tuple(ids[s] for s in shapes.objects(None, SH.property) if s in ids)
    _, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", abort_on_first=False,
                                     allow_warnings=True, do_owl_imports=False, js=False)
    missing: dict[str, set[str]] = defaultdict(set)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        focus = results.value(result, SH.focusNode)
        if shape in ids and focus is not None:
            missing[str(focus)].add(ids[shape])
    incidents = {str(s) for s in data.subjects(RDF.type, KG.Incident)}
    order = [f.id for f in crosswalk(framework).fields]
    found = {i: tuple(sorted(missing.get(i, ()), key=order.index)) for i in incidents}
    return ProfileReport(framework, tuple(sorted(checked, key=order.index)), tuple(sorted(never, key=order.index)), found)
