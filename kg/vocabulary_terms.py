"""The prefixes, classes and properties a query may use, read from the ontology files (for editor completion)."""

from __future__ import annotations

from functools import lru_cache

from rdflib import OWL, RDF, RDFS, SKOS, Graph, URIRef

from kg.namespaces import PREFIXES, bind_prefixes
from kg.resources import ontology_dir

_KINDS = {OWL.Class: "class", RDFS.Class: "class", OWL.ObjectProperty: "property",
          OWL.DatatypeProperty: "property", RDF.Property: "property", OWL.AnnotationProperty: "property",
          SKOS.ConceptScheme: "scheme", SKOS.Concept: "concept"}
SHARED = ("rdf:type", "rdfs:label", "rdfs:comment", "skos:prefLabel", "skos:altLabel", "skos:notation",
          "skos:inScheme", "skos:broader", "skos:topConceptOf", "skos:exactMatch", "skos:closeMatch",
          "skos:relatedMatch", "skos:Concept", "skos:ConceptScheme", "dct:title", "dct:description",
          "schema:url", "schema:sameAs", "schema:datePublished", "schema:publisher")
"""Terms of other vocabularies that our data uses throughout (the ontology reuses them without declaring them)."""


def _prefixed(iri: URIRef) -> str | None:
    """``kg:Incident`` for an IRI in one of our prefixes' namespaces (None when none fits)."""
    for name, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        local = str(iri).removeprefix(namespace)
        if local != str(iri) and local.replace("_", "a").replace("-", "a").isalnum():
            return f"{name}:{local}"
    return None


@lru_cache(maxsize=1)
def terms() -> dict[str, object]:
    """``{"prefixes": {name: IRI}, "terms": [{"name": "kg:Incident", "kind": "class", "label": …}]}``.

    >>> found = terms()
    >>> next(t for t in found["terms"] if t["name"] == "kg:Incident")["kind"]
    'class'
    """
    graph = bind_prefixes(Graph())
    for path in sorted(ontology_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    found: dict[str, dict[str, str]] = {}
    for rdf_type, kind in _KINDS.items():
        for subject in graph.subjects(RDF.type, rdf_type):
            name = _prefixed(subject) if isinstance(subject, URIRef) else None
            if name and name not in found:
                label = graph.value(subject, RDFS.label)
                found[name] = {"name": name, "kind": kind, "iri": str(subject), "label": str(label or "")}
    for name in SHARED:
        found.setdefault(name, {"name": name, "kind": "class" if name.split(":")[1][0].isupper() else "property",
                                "iri": PREFIXES[name.split(":")[0]] + name.split(":")[1], "label": ""})
    return {"prefixes": dict(PREFIXES), "terms": sorted(found.values(), key=lambda t: t["name"])}
