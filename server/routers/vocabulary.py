"""The vocabulary's IRIs: the ontology (``/def``) and each term (``/def/{Term}``), as HTML documentation or RDF.

Terms answer 200 directly (they are served as documentation, as vocabularies usually are); things under
``/id/`` answer 303 instead (see the README's URI policy). Each page is one executor job (server/page_jobs.py).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib.namespace import SKOS

from kg import describe
from kg.errors import NotFound
from kg.namespaces import ONTOLOGY_IRI
from kg.store import Solutions
from server import protocol
from server.deps import ExecutorDep
from server.documents import HTML, html_headers, not_found, representation, serialized_response
from server.browse import scheme_tree
from server.jobs import NamedQuery, pairs
from server.page_jobs import Missing, TermPage
from server.rendering import render

router = APIRouter()


@router.api_route("/def", methods=["GET", "HEAD"])
async def ontology(request: Request, executor: ExecutorDep, format: str | None = None) -> Response:
    """The ontology: its classes, properties, concept schemes and individuals (HTML), or all of it in RDF."""
    media_type = representation(request, format)
    page = await executor.run(TermPage(ONTOLOGY_IRI, media_type), protocol.client_of(request))
    if media_type != HTML:
        return serialized_response(request, page)
    return render(request, "vocabulary.html", headers=html_headers(request), v=page)


@router.api_route("/def/{name}", methods=["GET", "HEAD"])
async def term(name: str, request: Request, executor: ExecutorDep, format: str | None = None) -> Response:
    """One term: its label, definition, place in the hierarchy, domain and range, and what refers to it."""
    asked = f"{ONTOLOGY_IRI}/{name}"
    try:
        iri = describe.term_iri(name)
    except NotFound as error:
        return not_found(request, error, asked)
    media_type = representation(request, format)
    page = await executor.run(TermPage(iri, media_type), protocol.client_of(request))
    if isinstance(page, Missing):
        return not_found(request, NotFound(page.message), asked)
    if media_type != HTML:
        return serialized_response(request, page)
    if any(kind.iri == str(SKOS.ConceptScheme) for kind in page.kinds):
        client, bound = protocol.client_of(request), pairs({"scheme": iri})
        concepts = await executor.run(NamedQuery("browse/scheme-concepts", bound, as_values=True), client)
        counts = await executor.run(NamedQuery("browse/scheme-counts", bound, as_values=True), client)
        assert isinstance(concepts, Solutions) and isinstance(counts, Solutions)
        return render(request, "scheme.html", headers=html_headers(request), s=page,
                      concepts=scheme_tree(concepts.rows, counts.rows), total=len(concepts.rows))
    return render(request, "resource.html", headers=html_headers(request), s=page)
