"""Check an accepted submission's statements against the shapes, in the context of what the graph already holds."""

from __future__ import annotations

from rdflib import Graph, URIRef

from kg import queries
from kg.store import Triples, TripleStore
from kg.sparql_shapes import validate_nquads
from kg.validation import ValidationReport
from kg.vocabulary import ontology_graph


def referenced_terms(statements: Graph) -> set[URIRef]:
    """The IRIs a submission's statements point at without describing them (concepts, roles, existing things)."""
    described = set(statements.subjects())
    return {o for o in statements.objects() if isinstance(o, URIRef) and o not in described}


def context_of(store: TripleStore, statements: Graph) -> Graph:
    """The types and schemes of every term ``statements`` refer to, read from ``store`` (one bound query per term)."""
    context = Graph()
    query = queries.load("term-types")
    for term in sorted(referenced_terms(statements)):
        result = store.query(query, {"term": term})
        assert isinstance(result, Triples)
        for triple in result.triples:
            context.add(triple)
    return context


def check_statements(statements: Graph, context: Graph, ontology: Graph) -> ValidationReport:
    """Validate ``statements`` with ``context`` and the ontology; only violations about the statements' own nodes."""
    data = Graph()
    for source in (statements, context, ontology):
        for triple in source:
            data.add(triple)
    report = validate_nquads(data.serialize(format="nt", encoding="utf-8"), merged=True)
    own = {str(node) for node in statements.subjects()}
    kept = [violation for violation in report.results if violation.focus in own]
    return ValidationReport(conforms=not kept, results=kept)


def check_against_store(statements: Graph, store: TripleStore) -> ValidationReport:
    return check_statements(statements, context_of(store, statements), ontology_graph(store))
