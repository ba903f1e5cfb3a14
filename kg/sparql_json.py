"""SPARQL 1.1 JSON results to rdflib terms and back, as a remote store sends them and our writers read them."""

from __future__ import annotations

import json

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kg.store import XSD_STRING, Boolean, Solutions


def term_from_json(value: dict[str, str]) -> Node:
    """An rdflib term from a JSON results binding (Virtuoso's ``nodeID://`` blank nodes and typed-literal too).

    >>> term_from_json({"type": "typed-literal", "value": "1", "datatype": "http://www.w3.org/2001/XMLSchema#integer"})
    rdflib.term.Literal('1', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
    """
    kind, text = value["type"], value["value"]
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text.removeprefix("nodeID://").removeprefix("_:"))
    if "xml:lang" in value:
        return Literal(text, lang=value["xml:lang"])
    datatype = value.get("datatype")
    return Literal(text, datatype=URIRef(datatype)) if datatype and datatype != XSD_STRING else Literal(text)


def term_to_json(term: Node) -> dict[str, str]:
    """A term as a standard JSON results binding."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    found = {"type": "literal", "value": str(term)}
    if term.language:
        found["xml:lang"] = term.language
    elif term.datatype is not None:
        found["datatype"] = str(term.datatype)
    return found


def results_json(result: Solutions | Boolean) -> bytes:
    """Standard SPARQL JSON results (Virtuoso's own has ``nodeID://`` blank nodes and typed-literal)."""
    if isinstance(result, Boolean):
        return json.dumps({"head": {}, "boolean": result.value}).encode()
    rows = [{name: term_to_json(value) for name, value in row.items()} for row in result.rows]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": rows}}).encode()
