"""``/.well-known/void``: the VoID description of the dataset, one executor job (computed once per data version)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from server import negotiation, protocol
from server.deps import ExecutorDep, SettingsDep
from server.description import VOID_PATH, void_job
from server.documents import triples_response
from server.errors import NotAcceptable

router = APIRouter()


@router.api_route(VOID_PATH, methods=["GET", "HEAD"])
async def void(request: Request, executor: ExecutorDep, settings: SettingsDep, format: str | None = None) -> Response:
    """Triple and entity counts, class and property partitions, endpoint, dumps, URI space, examples, licence."""
    media_type = negotiation.negotiate(request.headers.get("accept"), format).get("graph")
    if media_type is None:
        raise NotAcceptable("VoID is RDF: accept Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG")
    job = void_job(settings, getattr(request.app.state, "release", None))
    return triples_response(await executor.run(job, protocol.client_of(request)), media_type)
