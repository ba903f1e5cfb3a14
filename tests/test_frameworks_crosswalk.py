"""The crosswalks to the reporting frameworks, their citations, JSON Schemas and SHACL profiles, checked against
the ontology, the graph's own shapes and each other (no store needed)."""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SH, SKOS
from rdflib.namespace import DCTERMS

from kg.frameworks.crosswalk import FRAMEWORKS, crosswalk, severity_mapping, texts
from kg.frameworks.export import schema
from kg.frameworks.profile import profile_shapes
from kg.namespaces import PREFIXES

REPO = Path(__file__).resolve().parents[1]
PRIMARY = {"oecd-crf": "oecd-crf", "eu-ai-act-73": "eu-ai-act-73"}
OECD_SEVERITY = {"hazard", "serious hazard", "incident", "serious incident", "disaster"}
DECLARED = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.Class, SKOS.ConceptScheme, OWL.NamedIndividual}
NAME = re.compile(r"([A-Za-z][A-Za-z-]*):([A-Za-z][A-Za-z0-9]*)")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def instance_paths() -> set[URIRef]:
    """Every property the graph's own shapes constrain (sh:path), i.e. the external terms our model uses."""
    shapes = Graph().parse(REPO / "shapes" / "ai-incidents.shacl.ttl", format="turtle")
    return {o for o in shapes.objects(None, SH.path) if isinstance(o, URIRef)}


def terms(text: str) -> list[URIRef]:
    """The prefixed names in a property path or scheme, expanded with our one prefix table."""
    found = []
    for prefix, local in NAME.findall(text):
        assert prefix in PREFIXES, f"unknown prefix {prefix!r} in {text!r}"
        found.append(URIRef(PREFIXES[prefix] + local))
    return found


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_mapped_path_exists_in_the_ontology(framework: str, ontology: Graph, instance_paths: set[URIRef]) -> None:
    """Our terms must be declared in ontology/*.ttl; other vocabularies' terms must be ones our model uses (named in
    the ontology, or a path of the graph's shapes). Schemes must be declared concept schemes."""
    for field in crosswalk(framework).fields:
        if field.status == "unmapped":
            assert not field.path and not field.scheme, field.id
            continue
        assert field.path, f"{framework} {field.id}: a mapped field needs its property path"
        for term in terms(field.path):
            if str(term).startswith(PREFIXES["kg"]):
                declared = set(ontology.objects(term, RDF.type))
                assert declared & DECLARED, f"{framework} {field.id}: {term} is not declared in the ontology"
            else:
                used = (term, None, None) in ontology or (None, None, term) in ontology or term in instance_paths
                assert used, f"{framework} {field.id}: {term} is neither in the ontology nor a path of our shapes"
        for scheme in terms(field.scheme):
            assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology, f"{framework} {field.id}: {scheme}"


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_mandatory_field_is_mapped_or_unmapped_with_a_reason(framework: str) -> None:
    fields = crosswalk(framework).fields
    mandatory = [f for f in fields if f.mandatory == "yes"]
    assert mandatory
    for field in mandatory:
        assert field.status in ("direct", "partial", "derived", "unmapped")
        assert len(field.rationale) > 25, f"{framework} {field.id}: the reason is too short to explain anything"
        assert bool(field.queries) == (field.status != "unmapped")


def test_the_oecd_framework_has_29_criteria_of_which_7_mandatory() -> None:
    """As the secondary accounts restate the paper: criteria 1 to 29, mandatory 1, 2, 3, 4, 7, 10, 11."""
    fields = crosswalk("oecd-crf").fields
    assert [f.id for f in fields] == [str(n) for n in range(1, 30)]
    assert [f.id for f in fields if f.required] == ["1", "2", "3", "4", "7", "10", "11"]
    assert len({f.section for f in fields}) == 8


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_every_field_cites_the_primary_text(framework: str) -> None:
    known = texts()
    primary = known[PRIMARY[framework]]
    assert primary.kind == "primary" and primary.url.startswith("https://") and primary.date and primary.title
    for field in crosswalk(framework).fields:
        assert PRIMARY[framework] in field.texts, f"{framework} {field.id} does not cite the primary text"
        assert field.locator, f"{framework} {field.id} has no section or criterion"
        cited = [known[key] for key in field.texts]
        if not primary.found:  # the primary text was not available: a secondary account must back the field
            assert any(text.kind == "secondary" and text.found for text in cited), f"{framework} {field.id}"
    for text in known.values():
        assert text.kind in ("primary", "secondary")
        if text.kind == "secondary":
            assert text.note.startswith("SECONDARY"), f"{text.key}: a secondary source must say so"


def test_severity_maps_only_to_oecd_values_and_only_harm_levels() -> None:
    mapping = severity_mapping()
    assert mapping
    for concept, (grade, rationale) in mapping.items():
        assert concept.startswith("https://w3id.org/ai-incidents/id/concept/cset-ai-harm-level/")
        assert grade == "" or grade in OECD_SEVERITY
        assert grade not in ("serious incident", "disaster", "serious hazard"), "CSET does not grade seriousness"
        assert rationale


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_json_schema_is_valid_and_names_every_field(framework: str) -> None:
    found = schema(framework)
    jsonschema.Draft202012Validator.check_schema(found)
    fields = found["$defs"]["record"]["properties"]["fields"]
    assert fields["required"] == [f.name for f in crosswalk(framework).fields]
    for field in crosswalk(framework).fields:
        assert fields["properties"][field.name]["properties"]["id"] == {"const": field.id}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_profile_has_a_shape_per_mandatory_field(framework: str, ontology: Graph) -> None:
    """Mapped mandatory fields are property shapes of the profile; unmapped ones deactivated shapes; no other."""
    shapes = profile_shapes(framework)
    ids = {str(v): s for s, v in shapes.subject_objects(DCTERMS.identifier)}
    walk = crosswalk(framework)
    assert set(ids) == {f.id for f in walk.fields if f.required}
    checked = set(shapes.objects(None, SH.property))
    for field in walk.fields:
        if not field.required:
            continue
        shape = ids[field.id]
        assert str(shapes.value(shape, SH.name)) == field.name
        if field.status == "unmapped":
            assert (shape, SH.deactivated, None) in shapes and shape not in checked, field.id
        else:
            assert shape in checked and (shape, SH.severity, SH.Warning) in shapes, field.id
    for term in {o for o in shapes.objects() if isinstance(o, URIRef) and str(o).startswith(PREFIXES["kg"])}:
        assert set(ontology.objects(term, RDF.type)) & DECLARED, f"{term} is not declared in the ontology"


def test_the_severity_profile_accepts_exactly_the_graded_harm_levels() -> None:
    shapes = profile_shapes("oecd-crf")
    qualified = shapes.value(next(s for s, v in shapes.subject_objects(DCTERMS.identifier) if str(v) == "10"),
                             SH.qualifiedValueShape)
    accepted = set(Graph.collection(shapes, shapes.value(qualified, SH["in"])))  # type: ignore[arg-type]
    graded = {URIRef(c) for c, (grade, _) in severity_mapping().items() if grade}
    assert accepted == graded


def test_the_profiles_are_not_part_of_the_graphs_validation() -> None:
    from kg.validation import load_shapes

    ours = load_shapes()
    for framework in FRAMEWORKS:
        assert not set(profile_shapes(framework).subjects(DCTERMS.identifier)) & set(ours.subjects())
