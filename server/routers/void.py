"""``/.well-known/void``: the VoID description of the dataset, one executor job (cached per data version)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import URIRef

from server import negotiation, protocol
from server.deps import ExecutorDep, SettingsDep
from server.description import endpoint_iri
from server.documents import serialized_response
from server.errors import NotAcceptable
from server.page_jobs import DatasetDescription
from server.routers.dumps import dumps_url

router = APIRouter()
PATH = "/.well-known/void"


@router.api_route(PATH, methods=["GET", "HEAD"])
async def void(request: Request, executor: ExecutorDep, settings: SettingsDep, format: str | None = None) -> Response:
    """Triple and entity counts, class and property partitions, endpoint, dumps, URI space, examples, licence."""
    media_type = negotiation.negotiate(request.headers.get("accept"), format).get("graph")
    if media_type is None:
        raise NotAcceptable("VoID is RDF: accept Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG")
    release = getattr(request.app.state, "release", None)
    dumps = tuple(dumps_url(settings) + f.name for f in release.files if f.name.startswith("ai-incidents")) if release else ()
    base = settings.public_url.rstrip("/")
    job = DatasetDescription(URIRef(base + PATH + "#ai-incidents"), endpoint_iri(settings), dumps, base + "/", media_type)
    return serialized_response(request, await executor.run(job, protocol.client_of(request)), links=False)
