"""What the query page completes, labels and builds with: our prefixes and vocabulary (from the ontology files),
the query builder's model (from the SHACL shapes), things by label (``/api/complete?q=``) and the labels of a
result's IRIs (``/api/labels``), both bounded queries through the executor like every other query."""

from __future__ import annotations

import json

from fastapi import APIRouter, Body, Query, Request
from rdflib import Literal, URIRef

from kg import queries
from kg.shape_model import builder_model
from kg.sparql_values import with_rows
from kg.vocabulary_terms import terms
from server import protocol
from server.jobs import SparqlQuery

router = APIRouter()
SOLUTIONS = {"solutions": "application/sparql-results+json"}
MAX_LABELS = 200
COMPLETIONS = 20


@router.get("/api/vocabulary")
def vocabulary() -> dict[str, object]:
    """The prefixes a query may use without declaring them, and our classes, properties and concept schemes."""
    return terms()


@router.get("/api/builder")
def builder() -> dict[str, object]:
    """The query builder's model: each class our shapes target, the properties they allow and those leading in."""
    return builder_model()


@router.get("/api/complete")
async def complete(request: Request, q: str = Query(..., min_length=2, max_length=80)) -> list[dict[str, str]]:
    """Up to 20 things whose label starts with ``q`` (case ignored): IRI, label and type, shortest label first."""
    rows = await request.app.state.executor.select("complete-labels", protocol.client_of(request),
                                                   prefix=Literal(q.strip().lower()))
    first: dict[str, dict[str, str]] = {}
    for row in rows:  # shortest label first; a thing with several labels or types comes once per pair
        first.setdefault(str(row["item"]), {"iri": str(row["item"]), "label": str(row.get("name", "")),
                                            "type": str(row.get("type", ""))})
    return list(first.values())[:COMPLETIONS]


@router.post("/api/labels")
async def labels(request: Request, iris: list[str] = Body(..., max_length=MAX_LABELS)) -> dict[str, str]:
    """The label of each of up to 200 IRIs that has one (the page shows it beside the IRI in a result)."""
    if not iris:
        return {}
    text = with_rows(queries.load("labels"), ["item"], [[URIRef(iri)] for iri in dict.fromkeys(iris)])
    answer = await request.app.state.executor.answer(SparqlQuery(text, SOLUTIONS), protocol.client_of(request))
    rows = json.loads(answer.body)["results"]["bindings"] if answer is not None else []
    return {row["item"]["value"]: row["name"]["value"] for row in rows if "name" in row}
