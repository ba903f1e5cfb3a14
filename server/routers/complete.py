"""What the query page completes and builds with: our prefixes and vocabulary (from the ontology files), the
query builder's model (from the SHACL shapes), and things by label (``/api/complete?q=``, a bounded query through
the executor like every other query)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request
from rdflib import Literal

from kg import queries
from kg.shape_model import builder_model
from kg.vocabulary_terms import terms
from server import protocol
from server.worker import Job

router = APIRouter()
SOLUTIONS = {"solutions": "application/sparql-results+json"}


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
    job = Job(queries.load("complete-labels"), SOLUTIONS)
    bindings = {"prefix": Literal(q.strip().lower())}
    answer = await request.app.state.executor.answer(job, protocol.client_of(request), bindings)
    rows = json.loads(answer.body)["results"]["bindings"] if answer is not None else []
    return [
        {"iri": row["item"]["value"], "label": row.get("name", {}).get("value", ""),
         "type": row.get("type", {}).get("value", "")}
        for row in rows
    ]
