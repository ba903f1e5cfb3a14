"""The ontology: it parses, conforms to its own shapes, documents every term, matches ``kg.namespaces.KG``
and aligns to the published vocabularies with their exact IRIs."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.namespaces import AIRO, DPV_AI, DPV_RISK, KG, ORG, SCHEMA
from kg.resources import ontology_dir
from kg.validation import validate_graph

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.NamedIndividual, SKOS.ConceptScheme)
KG_TERM = re.compile(r"(?<![\w/])kg:([A-Za-z][A-Za-z0-9]*)")


@lru_cache(maxsize=1)
def ontology() -> Graph:
    """The shipped ontology, parsed from its Turtle files."""
    graph = Graph()
    for path in sorted(ontology_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def defined_terms() -> set[URIRef]:
    """Every IRI in our namespace that the ontology describes."""
    return {s for s in ontology().subjects() if isinstance(s, URIRef) and s in KG}


def terms_of_type(*types: URIRef) -> set[URIRef]:
    return {s for t in types for s in ontology().subjects(RDF.type, t) if isinstance(s, URIRef)}


def test_ontology_parses_into_a_single_owl_ontology():
    headers = list(ontology().subjects(RDF.type, OWL.Ontology))
    assert headers == [URIRef("https://w3id.org/ai-incidents/def")]
    assert len(defined_terms()) > 0


def test_ontology_conforms_to_the_shapes():
    report = validate_graph(ontology())
    assert report.conforms, [(v.focus, v.path, v.shape, v.message) for v in report.results]
    assert report.results == []


@pytest.mark.parametrize("kind", [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty])
def test_every_class_and_property_has_one_english_label_and_comment(kind):
    terms = terms_of_type(kind)
    assert terms, f"the ontology declares no {kind}"
    for term in terms:
        for annotation in (RDFS.label, RDFS.comment):
            values = list(ontology().objects(term, annotation))
            assert len(values) == 1, f"{term} has {len(values)} {annotation}"
            assert isinstance(values[0], Literal) and values[0].language == "en", f"{term} {annotation}"
            assert str(values[0]).strip(), f"{term} has an empty {annotation}"


def test_every_term_is_typed_as_a_term():
    """A kg: subject with no OWL/SKOS type would escape the ontology shapes."""
    untyped = defined_terms() - terms_of_type(*TERM_TYPES)
    assert untyped == set()


def test_namespace_lists_exactly_the_terms_the_ontology_defines():
    declared = {term for term in dir(KG) if isinstance(term, URIRef)}
    assert declared - defined_terms() == set(), "in kg.namespaces.KG but not defined in the ontology"
    assert defined_terms() - declared == set(), "defined in the ontology but missing from kg.namespaces.KG"


def test_a_misspelt_term_raises():
    assert KG.Incident == URIRef("https://w3id.org/ai-incidents/def/Incident")
    with pytest.raises(AttributeError, match="Incidnet"):
        KG.Incidnet  # noqa: B018
    with pytest.raises(AttributeError, match="deployor"):
        KG["deployor"]


@pytest.mark.parametrize(
    "folder, suffix",
    [("shapes", ".ttl"), ("data", ".ttl"), ("kg/queries", ".rq")],
)
def test_every_kg_term_used_by_shapes_data_and_queries_is_defined(folder, suffix):
    """A typo such as ``kg:involvedin`` in a shape or a query would silently match nothing."""
    defined = {str(term).removeprefix(str(KG._NS)) for term in defined_terms()}
    used: dict[str, set[str]] = {}
    for path in sorted((REPO / folder).rglob(f"*{suffix}")):
        for name in KG_TERM.findall(path.read_text(encoding="utf-8")):
            used.setdefault(name, set()).add(str(path.relative_to(REPO)))
    assert used, f"no kg: term found under {folder}"
    assert {name: files for name, files in used.items() if name not in defined} == {}


# The alignments the issue and ../shared/design/vocabularies.md ask for, with the vocabularies' own IRIs.
ALIGNMENTS = [
    (KG.Incident, RDFS.subClassOf, URIRef("https://w3id.org/dpv/risk#Incident")),
    (KG.AISystem, RDFS.subClassOf, URIRef("https://w3id.org/airo#AISystem")),
    (KG.AISystem, RDFS.subClassOf, URIRef("https://w3id.org/dpv/ai#AISystem")),
    (KG.Organisation, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")),
    (KG.Organisation, RDFS.subClassOf, URIRef("https://schema.org/Organization")),
    (KG.Organisation, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Organization")),
    (KG.Involvement, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Association")),
    (KG.Claim, RDFS.subClassOf, URIRef("https://schema.org/Claim")),
    (KG.NewsArticle, RDFS.subClassOf, URIRef("https://schema.org/NewsArticle")),
    (KG.WebPage, RDFS.subClassOf, URIRef("https://schema.org/WebPage")),
    (KG.Event, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Activity")),
    (KG.involvesSystem, RDFS.subPropertyOf, URIRef("https://w3id.org/dpv/ai#hasAISystem")),
    (KG.technology, RDFS.subPropertyOf, URIRef("https://w3id.org/airo#usesTechnique")),
    (KG.purpose, RDFS.subPropertyOf, URIRef("https://w3id.org/airo#hasPurpose")),
    (KG.sector, RDFS.subPropertyOf, URIRef("https://w3id.org/airo#isAppliedWithinDomain")),
    (KG.agent, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/prov#agent")),
    (KG.role, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/prov#hadRole")),
    (KG.memberOf, RDFS.subPropertyOf, URIRef("http://www.w3.org/ns/org#memberOf")),
    (KG.deployer, SKOS.closeMatch, URIRef("https://w3id.org/airo#AIDeployer")),
    (KG.developer, SKOS.closeMatch, URIRef("https://w3id.org/airo#AIDeveloper")),
]


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=lambda t: f"{t[0].fragment or t[0].rsplit('/', 1)[-1]}-{t[2]}")
def test_alignment_uses_the_vocabulary_iri(triple):
    assert triple in ontology()


def test_deployer_is_airo_deployer_not_operator():
    """AIAAIC's Operator and Deployer both mean airo:AIDeployer; airo:AIOperator is the EU AI Act umbrella."""
    matches = set(ontology().objects(KG.deployer, None))
    assert AIRO.AIDeployer in matches
    assert AIRO.AIOperator not in matches
    assert not any(AIRO.AIOperator in (s, o) for s, _, o in ontology())


def test_property_developer_is_not_the_ai_developer_role():
    """Argent develops the estate, NEC the AI: the two meanings of 'developer' are different terms."""
    assert (KG.propertyDeveloper, RDF.type, OWL.ObjectProperty) in ontology()
    assert not set(ontology().objects(KG.propertyDeveloper, RDFS.subPropertyOf))
    assert (KG.developer, RDF.type, KG.Role) in ontology()
    assert KG.propertyDeveloper not in set(ontology().objects(KG.developer, None))


def vocabulary_namespaces() -> list[str]:
    """The namespace IRIs listed in the shared vocabulary notes (table C1)."""
    notes = (SHARED / "design" / "vocabularies.md").read_text(encoding="utf-8")
    return re.findall(r"^\| `[\w-]+:` \| `([^`]+)`", notes, flags=re.MULTILINE)


ALIGNING = (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, SKOS.exactMatch, SKOS.closeMatch)
CORE = ("http://www.w3.org/2001/XMLSchema#", str(RDFS), str(OWL))


def test_every_external_iri_in_an_axiom_is_in_a_known_vocabulary_namespace():
    namespaces = vocabulary_namespaces()
    assert "https://w3id.org/airo#" in namespaces and "https://schema.org/" in namespaces
    external = {o for p in ALIGNING for o in ontology().objects(None, p) if isinstance(o, URIRef) and o not in KG}
    assert external
    unknown = {o for o in external if not str(o).startswith(tuple(namespaces) + CORE)}
    assert unknown == set()


def test_namespace_constants_match_the_vocabulary_notes():
    namespaces = set(vocabulary_namespaces())
    for constant in (AIRO, DPV_AI, DPV_RISK, ORG, SCHEMA):
        assert str(constant) in namespaces
