"""Check data against our SHACL shapes with SPARQL run inside the store: pyshacl's results, much faster.

The shapes stay the source of truth: they are loaded into the store as a named graph, and fixed queries
(``kg/queries/shacl/*.rq``) read the constraints from there, so no SPARQL is generated. Only the constraint
components our shapes use are covered; :func:`unsupported` names anything else, and the build then falls
back to pyshacl. The report has the same form as pyshacl's: focus node, path, value, message, shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from kg import queries
from kg.namespaces import GRAPH, PREFIXES
from kg.store import EmbeddedStore, Solutions, TripleStore
from kg.validation import ValidationReport, Violation, load_shapes

SHAPES_GRAPH = GRAPH["shapes"]
VALUE_CHECKS = (
    "values-datatype",
    "values-node-kind",
    "values-pattern",
    "values-class",
    "values-language-in",
    "values-node",
    "values-or",
)
NODE_CHECKS = ("node-node-kind", "node-pattern", "node-or", "node-not")
TARGETS = {SH.targetClass, SH.targetSubjectsOf}
NOTES = {SH.message, SH.severity, SH.name, SH.description, SH.order, SH.group}
PROPERTY_KEYS = NOTES | {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.flags,
    SH["class"],
    SH.node,
    SH["or"],
    SH.languageIn,
    SH.uniqueLang,
}
NODE_KEYS = NOTES | TARGETS | {SH.property, SH.nodeKind, SH.pattern, SH.flags, SH["or"], SH["not"], SH.sparql}
VALUE_MEMBER_KEYS = {SH.datatype, SH.pattern, SH["class"], SH.property, SH.path, SH.minCount}
FOCUS_MEMBER_KEYS = {SH["class"], SH.property, SH.path, SH.minCount}
NESTED_PROPERTY_KEYS = {SH.path, SH.hasValue, SH.minCount}


def _keys(shapes: Graph, node: Node) -> set[Node]:
    return {p for p in shapes.predicates(node) if str(p).startswith(str(SH))} - {RDF.type}


def _members(shapes: Graph, shape: Node, predicate: URIRef) -> list[Node]:
    return [
        m
        for value in shapes.objects(shape, predicate)
        for m in (shapes.items(value) if predicate == SH["or"] else [value])
    ]


def _member_problem(shapes: Graph, member: Node, allowed: set[Node]) -> str | None:
    extra = _keys(shapes, member) - allowed - {SH.message}
    if extra:
        return f"{member} uses {sorted(map(str, extra))} inside sh:node/sh:or/sh:not"
    if any(int(m) != 1 for m in shapes.objects(member, SH.minCount)):
        return f"{member}: nested sh:minCount other than 1"
    for nested in shapes.objects(member, SH.property):
        if _keys(shapes, nested) - NESTED_PROPERTY_KEYS or any(
            int(m) != 1 for m in shapes.objects(nested, SH.minCount)
        ):
            return f"{nested}: nested property shape beyond sh:path with sh:hasValue or sh:minCount 1"
    return None


def unsupported(shapes: Graph) -> str | None:
    """Why the SPARQL checks cannot stand in for pyshacl on ``shapes`` (None when they can)."""
    for target in (SH.targetNode, SH.targetObjectsOf):
        if (None, target, None) in shapes:
            return f"a shape uses {target}"
    for shape_class in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, shape_class):
            if {RDFS.Class, OWL.Class} & set(shapes.objects(shape, RDF.type)):
                return f"{shape} is also a class (an implicit class target)"
    for declaration in shapes.objects(None, SH.declare):
        prefix, namespace = shapes.value(declaration, SH.prefix), shapes.value(declaration, SH.namespace)
        if PREFIXES.get(str(prefix)) != str(namespace):
            return f"prefix {prefix}: {namespace} of a SPARQL constraint is not one of kg.namespaces.PREFIXES"
    for node in set(shapes.subjects(SH.targetClass)) | set(shapes.subjects(SH.targetSubjectsOf)):
        extra = _keys(shapes, node) - NODE_KEYS
        if extra:
            return f"{node} uses {sorted(map(str, extra))}"
        if (node, SH.deactivated, None) in shapes:
            return f"{node} is deactivated"
        for predicate in (SH["or"], SH["not"]):
            for member in _members(shapes, node, predicate):
                if problem := _member_problem(shapes, member, FOCUS_MEMBER_KEYS):
                    return problem
        for prop in shapes.objects(node, SH.property):
            extra = _keys(shapes, prop) - PROPERTY_KEYS
            if extra:
                return f"{prop} uses {sorted(map(str, extra))}"
            if not isinstance(shapes.value(prop, SH.path), URIRef):
                return f"{prop} has a complex sh:path"
            if any(int(m) > 1 for m in shapes.objects(prop, SH.minCount)):
                return f"{prop}: sh:minCount above 1"
            for predicate in (SH.node, SH["or"]):
                for member in _members(shapes, prop, predicate):
                    if problem := _member_problem(shapes, member, VALUE_MEMBER_KEYS):
                        return problem
    return None


@lru_cache(maxsize=1)
def shapes_turtle() -> bytes:
    """All shapes as one Turtle document, to load into a store."""
    return load_shapes().serialize(format="turtle", encoding="utf-8")


def _text(row: Mapping[str, Node], name: str) -> str | None:
    value = row.get(name)
    return None if value is None else str(value)


def _severity(row: Mapping[str, Node]) -> str:
    return (_text(row, "severity") or str(SH.Violation)).rsplit("#", 1)[-1]


def _run(store: TripleStore, name: str, bindings: Mapping[str, Node] | None = None) -> list[dict[str, Node]]:
    result = store.query(queries.load(f"shacl/{name}"), {"shapes": SHAPES_GRAPH, **(bindings or {})})
    assert isinstance(result, Solutions)
    return result.rows


Result = tuple[Node, str | None, str | None, str | None, str, str | None]
"""A violation as the queries find it: focus node, path, message, shape, severity, value."""


def _results(store: TripleStore) -> list[Result]:
    """Every violation, component by component."""
    found: list[Result] = []
    for name in ("min-count", "max-count", "unique-lang"):
        found += [
            (r["focus"], _text(r, "path"), _text(r, "message"), _text(r, "shape"), _severity(r), None)
            for r in _run(store, name)
        ]
    for name in VALUE_CHECKS:
        found += [
            (r["focus"], _text(r, "path"), _text(r, "message"), _text(r, "shape"), _severity(r), _text(r, "value"))
            for r in _run(store, name)
        ]
    for name in NODE_CHECKS:
        found += [
            (r["focus"], None, _text(r, "message"), _text(r, "shape"), _severity(r), str(r["focus"]))
            for r in _run(store, name)
        ]
    for constraint in _run(store, "sparql-constraints"):
        shape = constraint["shape"]
        targets = {r["focus"] for r in _run(store, "targets", {"node": shape})}
        answer = store.query(str(constraint["select"]))
        assert isinstance(answer, Solutions)
        found += [
            (
                r["this"],
                _text(r, "path"),
                _text(constraint, "message"),
                str(shape),
                _severity(constraint),
                _text(r, "value"),
            )
            for r in answer.rows
            if r.get("this") in targets
        ]
    return found


def validate_in_store(store: TripleStore, graph_labels: Mapping[str, str] | None = None) -> ValidationReport:
    """Check a store whose default graph holds the data and whose graph ``graph/shapes`` holds the shapes.

    Like pyshacl with warnings not allowed, any result makes the data not conform.
    """
    labels = graph_labels or {}
    origins: dict[Node, tuple[str, ...]] = {}
    results = []
    for focus, path, message, shape, severity, value in _results(store):
        if focus not in origins:
            graphs = {str(r["graph"]) for r in _run(store, "origins", {"focus": focus})}
            origins[focus] = tuple(sorted(labels.get(g, g) for g in graphs))
        results.append(Violation(str(focus), path, message or "", shape, severity, value, origins[focus]))
    results.sort(key=lambda v: (v.origins, v.focus, v.shape or "", v.path or "", v.value or ""))
    return ValidationReport(not results, results)


def validate_nquads(
    nquads: bytes, graph_labels: Mapping[str, str] | None = None, merged: bool = False
) -> ValidationReport:
    """Load N-Quads into a scratch in-memory store with the shapes and check them there.

    The data is the default graph: the merge of the named graphs, computed here unless ``merged`` says
    the N-Quads already hold it.
    """
    store = EmbeddedStore.in_memory()
    store.load(nquads, "application/n-quads")
    if not merged:
        store.merge_graphs_into_default()
    store.load(shapes_turtle(), "text/turtle", graph=str(SHAPES_GRAPH))
    return validate_in_store(store, graph_labels)
