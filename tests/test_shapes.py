"""The shapes: every valid fixture conforms, and every invalid fixture breaks exactly the one rule it names.

Each fixture in ``tests/data/shapes/`` is validated together with the ontology, as ``kg build`` would.
An invalid fixture names what the report must say in its comment header::

    # expect-focus: <IRI of the node that breaks the rule>
    # expect-path: <IRI of the property> (or "none" for a node-level rule)
    # expect-shape: <IRI of the shape that reports it>
    # expect-constraint: sh:<the SHACL constraint component>

A valid fixture names the node shapes it exercises (``# exercises: <IRI>``). Two further tests check
coverage: every targeted node shape has a valid fixture, and every constraint of every named shape
has an invalid fixture.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.loading import RdfFile, discover_ontology, graph_for, load_files
from kg.validation import ValidationReport, load_shapes, union_of, validate_dataset

FIXTURES = Path(__file__).resolve().parent / "data" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))

# SHACL parameters that carry a constraint, and the component that reports a breach of each.
CONSTRAINTS = {
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH["class"]: SH.ClassConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}
# SHACL predicates on a shape that are not constraints.
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)
NOT_CONSTRAINTS = {SH.path, SH.message, SH.property, SH.prefixes, SH.declare, SH.name, SH.description, *TARGETS}


@dataclass(frozen=True)
class Expected:
    """What the report must say about an invalid fixture."""

    focus: URIRef
    path: URIRef | None
    shape: URIRef
    constraint: URIRef


def header(path: Path) -> dict[str, list[str]]:
    """The ``# key: value`` lines at the top of a fixture."""
    found: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        key, sep, value = line.lstrip("# ").partition(":")
        if sep:
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def term(value: str) -> URIRef | None:
    """``<iri>``, ``sh:Name`` or ``none`` from a fixture header."""
    if value == "none":
        return None
    if value.startswith("sh:"):
        return SH[value.removeprefix("sh:")]
    assert value.startswith("<") and value.endswith(">"), f"not an IRI in angle brackets: {value}"
    return URIRef(value[1:-1])


def expected(path: Path) -> Expected:
    keys = header(path)
    values = {key: keys.get(f"expect-{key}", []) for key in ("focus", "path", "shape", "constraint")}
    assert all(len(v) == 1 for v in values.values()), f"{path.name} needs one of each expect- line: {values}"
    return Expected(*(term(v[0]) for v in values.values()))  # type: ignore[arg-type]


def fixture_graph_name(path: Path) -> URIRef:
    return graph_for(path, FIXTURES)


@cache
def loaded(path: Path) -> Dataset:
    """The ontology and the fixture, each in its named graph, parsed by the library."""
    return load_files(discover_ontology() + [RdfFile(path, fixture_graph_name(path))])


def validate(path: Path) -> ValidationReport:
    return validate_dataset(loaded(path), {str(fixture_graph_name(path)): str(path)})


def reported_constraints(path: Path) -> list[tuple[Node, Node, Node]]:
    """(focus, shape, constraint component) of every result, read from pySHACL's own report graph."""
    _, results, _ = pyshacl.validate(
        union_of(loaded(path))[0], shacl_graph=load_shapes(), inference="none", do_owl_imports=False, js=False
    )
    return [
        (
            results.value(r, SH.focusNode),
            results.value(r, SH.sourceShape),
            results.value(r, SH.sourceConstraintComponent),
        )
        for r in results.objects(None, SH.result)
    ]


# -- valid fixtures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms(path: Path):
    report = validate(path)
    assert [(v.focus, v.path, v.shape, v.message) for v in report.results] == []
    assert report.conforms


def targets(shape: URIRef, path: Path) -> set[Node]:
    """Nodes of the fixture (not of the ontology) that ``shape`` targets, subclasses included."""
    shapes, union = load_shapes(), union_of(loaded(path))[0]
    fixture = loaded(path).graph(fixture_graph_name(path))
    classes = {c for t in shapes.objects(shape, SH.targetClass) for c in union.transitive_subjects(RDFS.subClassOf, t)}
    found = {node for c in classes for node in fixture.subjects(RDF.type, c)}
    found |= {s for p in shapes.objects(shape, SH.targetSubjectsOf) for s in fixture.subjects(p, None)}
    found |= {o for p in shapes.objects(shape, SH.targetObjectsOf) for o in fixture.objects(None, p)}
    return found | {n for n in shapes.objects(shape, SH.targetNode) if (n, None, None) in fixture}


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_exercises_its_shapes_and_all_their_properties(path: Path):
    shapes = [term(value) for value in header(path).get("exercises", [])]
    assert shapes, f"{path.name} names no shape it exercises"
    fixture = loaded(path).graph(fixture_graph_name(path))
    for shape in shapes:
        focus_nodes = targets(shape, path)
        assert focus_nodes, f"{path.name} has no node that {shape} targets"
        for property_shape in load_shapes().objects(shape, SH.property):
            predicate = load_shapes().value(property_shape, SH.path)
            used = any((node, predicate, None) in fixture for node in focus_nodes)
            assert used, f"{path.name} never uses {predicate} ({property_shape})"


# -- invalid fixtures -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_breaks_exactly_the_rule_it_names(path: Path):
    expect = expected(path)
    report = validate(path)
    assert not report.conforms
    assert [(v.focus, v.path, v.shape) for v in report.results] == [
        (str(expect.focus), expect.path and str(expect.path), str(expect.shape))
    ]
    violation = report.results[0]
    assert violation.severity == "Violation"
    assert violation.origins == (str(path),), "the report names the fixture as where the node was stated"
    shapes = load_shapes()
    messages = {
        str(m)
        for node in (expect.shape, *shapes.objects(expect.shape, SH.sparql))
        for m in shapes.objects(node, SH.message)
    }
    assert violation.message in messages


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_breaks_the_constraint_it_names(path: Path):
    expect = expected(path)
    assert reported_constraints(path) == [(expect.focus, expect.shape, expect.constraint)]


# -- coverage ---------------------------------------------------------------------------------------


def targeted_node_shapes(shapes: Graph) -> set[URIRef]:
    return {s for target in TARGETS for s in shapes.subjects(target, None) if isinstance(s, URIRef)}


def constraints_to_cover(shapes: Graph) -> set[tuple[URIRef, URIRef]]:
    """(shape, component) for every constraint of every targeted node shape and its named property shapes.

    A node shape with both sh:nodeKind sh:IRI and sh:pattern cannot break the first alone (a blank node
    breaks the pattern too), so its pattern stands for both.
    """
    needed = set()
    for node_shape in targeted_node_shapes(shapes):
        for shape in (node_shape, *shapes.objects(node_shape, SH.property)):
            assert isinstance(shape, URIRef), f"{node_shape} has an anonymous property shape: name it"
            parameters = {p for p in shapes.predicates(shape, None) if p in SH} - NOT_CONSTRAINTS
            unknown = parameters - CONSTRAINTS.keys()
            assert not unknown, f"{shape} uses {unknown}: map them in CONSTRAINTS and add fixtures"
            if shape == node_shape and SH.pattern in parameters:
                parameters.discard(SH.nodeKind)
            needed |= {(shape, CONSTRAINTS[p]) for p in parameters}
    return needed


def test_every_targeted_node_shape_has_a_valid_fixture():
    exercised = {term(value) for path in VALID for value in header(path).get("exercises", [])}
    assert targeted_node_shapes(load_shapes()) - exercised == set()


def test_every_constraint_has_an_invalid_fixture():
    covered = {(e.shape, e.constraint) for e in map(expected, INVALID)}
    missing = constraints_to_cover(load_shapes()) - covered
    assert sorted(missing) == []


def test_invalid_fixtures_are_named_after_distinct_rules():
    rules = [(e.focus, e.path, e.shape, e.constraint) for e in map(expected, INVALID)]
    descriptions = [header(path).get("Invalid", [""])[0] for path in INVALID]
    assert all(descriptions), "every invalid fixture says in its first line what it breaks"
    assert len(set(zip(rules, descriptions))) == len(INVALID)
