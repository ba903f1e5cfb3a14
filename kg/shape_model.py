"""The visual query builder's model, derived from our SHACL shapes: each target class, the properties its shape
allows (with the class, concept scheme or literal they lead to), the properties that lead to it, and the named
values (roles, statuses) a property may take. Read from the shapes and ontology files; no store needed."""

from __future__ import annotations

from functools import lru_cache

from rdflib import OWL, RDF, RDFS, SH, SKOS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from kg.namespaces import PREFIXES, bind_prefixes
from kg.resources import ontology_dir, shapes_dir


def _name(graph: Graph, iri: Node) -> str:
    return graph.namespace_manager.normalizeUri(iri) if isinstance(iri, URIRef) else str(iri)


def _targets(graph: Graph, shape: Node) -> tuple[list[Node], list[Node]]:
    """The classes (sh:class) and concept schemes (sh:node to a shape whose inScheme hasValue) a property shape
    allows, looking through sh:or."""
    classes, schemes = list(graph.objects(shape, SH["class"])), []
    for node in graph.objects(shape, SH.node):
        schemes += [v for p in graph.objects(node, SH.property) for v in graph.objects(p, SH.hasValue)]
    for alternatives in graph.objects(shape, SH["or"]):
        for member in Collection(graph, alternatives):
            more_classes, more_schemes = _targets(graph, member)
            classes += more_classes
            schemes += more_schemes
            schemes += [v for p in graph.objects(member, SH.property) for v in graph.objects(p, SH.hasValue)]
    return classes, schemes


def _label(graph: Graph, iri: Node) -> str:
    label = graph.value(iri, RDFS.label) or graph.value(iri, SKOS.prefLabel)
    return str(label) if label else _name(graph, iri).split(":")[-1]


@lru_cache(maxsize=1)
def builder_model() -> dict[str, object]:
    """``{"classes": {name: {label, properties: [...], incoming: [...]}}, "prefixes": {...}}``.

    >>> model = builder_model()["classes"]
    >>> [p["target"] for p in model["kg:Involvement"]["properties"] if p["path"] == "kg:agent"]
    ['kg:Agent']
    >>> any(p["path"] == "kg:involvedIn" for p in model["kg:AISystem"]["incoming"])
    True
    """
    graph = bind_prefixes(Graph())
    for path in sorted(shapes_dir().glob("*.shacl.ttl")) + sorted(ontology_dir().glob("*.ttl")):
        graph.parse(path, format="turtle")
    classes: dict[str, dict[str, object]] = {}
    for shape, target in graph.subject_objects(SH.targetClass):
        entry = classes.setdefault(_name(graph, target), {"label": _label(graph, target), "iri": str(target),
                                                          "properties": [], "incoming": []})
        for prop in graph.objects(shape, SH.property):
            path = graph.value(prop, SH.path)
            if not isinstance(path, URIRef):
                continue
            found, schemes = _targets(graph, prop)
            for target_class in found or [None]:
                values = sorted(_name(graph, v) for v in graph.subjects(RDF.type, target_class)
                                if (v, RDF.type, OWL.NamedIndividual) in graph) if target_class else []
                entry["properties"].append({
                    "path": _name(graph, path), "label": _label(graph, path),
                    "target": _name(graph, target_class) if target_class is not None else None,
                    "schemes": sorted(_name(graph, s) for s in schemes), "values": values,
                })
    classes = {name: entry for name, entry in classes.items() if name.startswith("kg:")}  # not the ontology's own
    parents: dict[str, set[str]] = {}
    for sub, sup in graph.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            parents.setdefault(_name(graph, sub), set()).add(_name(graph, sup))
    for source, entry in classes.items():
        for prop in entry["properties"]:  # type: ignore[union-attr]
            for name, other in classes.items():
                if prop["target"] and (prop["target"] == name or prop["target"] in parents.get(name, ())):
                    other["incoming"].append({"path": prop["path"], "label": prop["label"], "source": source})  # type: ignore[union-attr]
    for entry in classes.values():
        entry["properties"].sort(key=lambda p: p["path"])  # type: ignore[union-attr]
        entry["incoming"].sort(key=lambda p: (p["source"], p["path"]))  # type: ignore[union-attr]
    return {"classes": dict(sorted(classes.items())), "prefixes": dict(PREFIXES)}
