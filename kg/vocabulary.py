"""The ontology as documentation: its terms grouped by kind, with labels and definitions, read from the store."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from kg import queries
from kg.display import Ref, best_literal, label
from kg.namespaces import KG, ONTOLOGY_IRI, bind_prefixes
from kg.store import Triples, TripleStore

SECTIONS = (
    ("Classes", OWL.Class),
    ("Object properties", OWL.ObjectProperty),
    ("Datatype properties", OWL.DatatypeProperty),
    ("Concept schemes", SKOS.ConceptScheme),
    ("Named individuals", OWL.NamedIndividual),
)
"""The kinds of term documented on the ontology's page, in order."""


@dataclass(frozen=True)
class TermEntry:
    """One term in the index: a link, its local name and its definition."""

    ref: Ref
    name: str
    definition: str | None


@dataclass(frozen=True)
class VocabularyIndex:
    """The ontology's page: what it is, and its terms by kind."""

    iri: str
    title: str
    description: str | None
    version: str | None
    licence: str | None
    sections: list[tuple[str, list[TermEntry]]]


def ontology_graph(store: TripleStore) -> Graph:
    """Every statement of the ontology's graph in the store."""
    result = store.query(queries.load("ontology"), {"ontology": ONTOLOGY_IRI})
    assert isinstance(result, Triples)
    graph = bind_prefixes(Graph())
    for triple in result.triples:
        graph.add(triple)
    return graph


def property_labels(ontology: Graph) -> dict[str, str]:
    """Term IRI -> its English label, for naming properties on pages."""
    labels: dict[str, str] = {}
    for term in set(ontology.subjects(RDFS.label, None)):
        found = best_literal(list(ontology.objects(term, RDFS.label)))
        if found is not None:
            labels[str(term)] = str(found)
    return labels


def definition(ontology: Graph, term: URIRef) -> str | None:
    """A term's definition: ``skos:definition``, else ``rdfs:comment``."""
    found = best_literal(list(ontology.objects(term, SKOS.definition))) or best_literal(
        list(ontology.objects(term, RDFS.comment))
    )
    return str(found) if found is not None else None


def index(ontology: Graph) -> VocabularyIndex:
    """The ontology's page: its metadata and every term of our namespace, grouped by kind and sorted."""
    namespace = str(KG._NS)
    sections = []
    for title, kind in SECTIONS:
        terms = sorted(
            (t for t in set(ontology.subjects(RDF.type, kind)) if isinstance(t, URIRef) and str(t).startswith(namespace)),
            key=lambda t: label(ontology, t).lower(),
        )
        entries = [
            TermEntry(Ref(str(t), label(ontology, t), "/def/" + str(t)[len(namespace) :]), str(t)[len(namespace) :], definition(ontology, t))
            for t in terms
        ]
        if entries:
            sections.append((title, entries))
    version = ontology.value(ONTOLOGY_IRI, OWL.versionInfo)
    licence = ontology.value(ONTOLOGY_IRI, DCTERMS.license)
    return VocabularyIndex(
        str(ONTOLOGY_IRI),
        label(ontology, ONTOLOGY_IRI),
        definition(ontology, ONTOLOGY_IRI),
        str(version) if version is not None else None,
        str(licence) if licence is not None else None,
        sections,
    )
