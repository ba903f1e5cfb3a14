"""The vocabulary's IRIs: the ontology (``/def``) and each term (``/def/{Term}``), as HTML documentation or RDF.

Terms answer 200 directly (they are served as documentation, as vocabularies usually are); things under
``/id/`` answer 303 instead (see the README's URI policy).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg import describe
from kg.errors import NotFound
from kg.namespaces import ONTOLOGY_IRI
from kg.summary import summarise
from kg.vocabulary import index, ontology_graph, property_labels
from server.deps import StoreDep
from server.documents import HTML, html_headers, not_found, rdf_response, representation
from server.rendering import render

router = APIRouter()


@router.api_route("/def", methods=["GET", "HEAD"])
def ontology(request: Request, store: StoreDep, format: str | None = None) -> Response:
    """The ontology: its classes, properties, concept schemes and individuals (HTML), or all of it in RDF."""
    media_type = representation(request, format)
    if media_type != HTML:
        return rdf_response(request, media_type, lambda out: describe.write_term(store, ONTOLOGY_IRI, media_type, out))
    return render(request, "vocabulary.html", headers=html_headers(request), v=index(ontology_graph(store)))


@router.api_route("/def/{name}", methods=["GET", "HEAD"])
def term(name: str, request: Request, store: StoreDep, format: str | None = None) -> Response:
    """One term: its label, definition, place in the hierarchy, domain and range, and what refers to it."""
    asked = f"{ONTOLOGY_IRI}/{name}"
    try:
        iri = describe.term_iri(name)
        media_type = representation(request, format)
        if media_type != HTML:
            return rdf_response(request, media_type, lambda out: describe.write_term(store, iri, media_type, out))
        describe.describe_term(store, iri)
    except NotFound as error:
        return not_found(request, error, asked)
    ontology = ontology_graph(store)
    summary = summarise(ontology, iri, property_labels(ontology))
    return render(request, "resource.html", headers=html_headers(request), s=summary)
