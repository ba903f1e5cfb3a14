"""Validate RDF against our SHACL shapes and return a typed report (no printing, no exiting)."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import pyshacl
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.resources import shapes_dir
from kg.store import TripleStore


@dataclass(frozen=True)
class Violation:
    """One result: which node broke which rule, on which path, and where that node was stated."""

    focus: str
    path: str | None
    message: str
    shape: str | None
    severity: str
    value: str | None
    origins: tuple[str, ...]


@dataclass(frozen=True)
class ValidationReport:
    """Whether the data conforms, and every result sorted by origin, focus node and shape."""

    conforms: bool
    results: list[Violation]


@lru_cache(maxsize=1)
def load_shapes() -> Graph:
    """All our shapes (instance data and ontology), parsed once per process."""
    shapes = Graph()
    for path in sorted(shapes_dir().glob("*.shacl.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


def union_of(dataset: Dataset) -> tuple[Graph, dict[Node, set[str]]]:
    """All triples of ``dataset`` in one graph, and for each subject the graphs that describe it."""
    union = Graph()
    described_in: dict[Node, set[str]] = defaultdict(set)
    for s, p, o, g in dataset.quads((None, None, None, None)):
        union.add((s, p, o))
        if g is not None:
            described_in[s].add(str(getattr(g, "identifier", g)))
    return union, described_in


def validate_graph(data: Graph, origins: Mapping[Node, set[str]] | None = None) -> ValidationReport:
    """Validate ``data`` (which must include the ontology) against our shapes.

    ``origins`` maps a subject to where it was stated (files or graphs), to say where each violation is.
    """
    conforms, results_graph, _ = pyshacl.validate(
        data,
        shacl_graph=load_shapes(),
        inference="none",
        abort_on_first=False,
        allow_warnings=False,
        do_owl_imports=False,
        js=False,
    )
    # Only the report's own results: nested ones (sh:detail, e.g. under sh:node) explain a result, not add one.
    results = [_violation(results_graph, node, origins or {}) for node in results_graph.objects(None, SH.result)]
    results.sort(key=lambda v: (v.origins, v.focus, v.shape or "", v.path or "", v.value or ""))
    return ValidationReport(bool(conforms), results)


def validate_dataset(dataset: Dataset, graph_labels: Mapping[str, str] | None = None) -> ValidationReport:
    """Validate every graph of ``dataset`` together; origins are graph IRIs, or their labels (file names)."""
    union, described_in = union_of(dataset)
    labels = graph_labels or {}
    origins = {node: {labels.get(g, g) for g in graphs} for node, graphs in described_in.items()}
    return validate_graph(union, origins)


def _violation(results: Graph, node: Node, origins: Mapping[Node, set[str]]) -> Violation:
    def one(predicate: URIRef) -> str | None:
        value = results.value(node, predicate)
        return None if value is None else str(value)

    focus = results.value(node, SH.focusNode)
    shape = results.value(node, SH.sourceShape)
    return Violation(
        focus=str(focus),
        path=one(SH.resultPath),
        message=one(SH.resultMessage) or "",
        shape=str(shape) if isinstance(shape, URIRef) else None,
        severity=(one(SH.resultSeverity) or str(SH.Violation)).rsplit("#", 1)[-1],
        value=one(SH.value),
        origins=tuple(sorted(origins.get(focus, ()))),
    )


def validate_store(store: TripleStore) -> ValidationReport:
    """Validate everything a store holds, naming graphs as the origins of violations.

    With SPARQL in a scratch store (kg.sparql_shapes) when our shapes allow it, else with pyshacl: the
    report is the same, the SPARQL checks take seconds where pyshacl takes minutes on the imported data.
    """
    from kg.sparql_shapes import unsupported, validate_nquads  # here: kg.sparql_shapes builds on this module

    buffer = io.BytesIO()
    store.dump(buffer, "application/n-quads")
    if unsupported(load_shapes()) is None:
        return validate_nquads(buffer.getvalue())
    dataset = Dataset()
    dataset.parse(data=buffer.getvalue(), format="nquads")
    return validate_dataset(dataset)
