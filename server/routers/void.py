"""``/.well-known/void``: the VoID description of the dataset, computed once per app (the data changes only on a build)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph, URIRef

from kg.void import describe_dataset
from server import negotiation
from server.deps import SettingsDep, StoreDep
from server.description import endpoint_iri
from server.documents import graph_response
from server.errors import NotAcceptable
from server.routers.dumps import dumps_url

router = APIRouter()
PATH = "/.well-known/void"


@router.api_route(PATH, methods=["GET", "HEAD"])
def void(request: Request, store: StoreDep, settings: SettingsDep, format: str | None = None) -> Response:
    """Triple and entity counts, class and property partitions, endpoint, dumps, URI space, examples, licence."""
    media_type = negotiation.negotiate(request.headers.get("accept"), format).get("graph")
    if media_type is None:
        raise NotAcceptable("VoID is RDF: accept Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads or TriG")
    graph: Graph | None = getattr(request.app.state, "void", None)
    if graph is None:
        release = getattr(request.app.state, "release", None)
        dumps = [dumps_url(settings) + f.name for f in release.files if f.name.startswith("ai-incidents")] if release else []
        dataset = URIRef(settings.public_url.rstrip("/") + PATH + "#ai-incidents")
        graph = describe_dataset(store, dataset, endpoint_iri(settings), dumps, settings.public_url.rstrip("/") + "/")
        request.app.state.void = graph
    return graph_response(graph, media_type)
