"""``/.well-known/void``: the VoID description of the dataset, one executor job (computed once per data version);
RDF for programs, an HTML view of the same triples for browsers (content negotiation, server/negotiation.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Literal, URIRef
from rdflib.namespace import VOID
from rdflib.term import Node

from kg.display import curie
from kg.store import Triples
from server import negotiation, protocol
from server.deps import ExecutorDep, SettingsDep
from server.description import VOID_PATH, void_job
from server.documents import triples_response
from server.errors import NotAcceptable
from server.rendering import render

router = APIRouter()
PARTITIONS = {VOID.classPartition: VOID["class"], VOID.propertyPartition: VOID.property}


def _shown(node: Node) -> tuple[str, str | None]:
    """A value as text, with a link when it is a web address."""
    text = str(node) if isinstance(node, Literal) else curie(node)
    return text, str(node) if isinstance(node, URIRef) and str(node).startswith(("http://", "https://")) else None


def _view(triples: Triples) -> dict[str, object]:
    """The triples of the description arranged for its HTML view: each described resource, then the partitions."""
    by_subject: dict[Node, dict[Node, list[Node]]] = {}
    for s, p, o in triples.triples:
        by_subject.setdefault(s, {}).setdefault(p, []).append(o)
    partitions: dict[Node, list[tuple[str, int]]] = {kind: [] for kind in PARTITIONS}
    about = []
    for subject, facts in by_subject.items():
        if isinstance(subject, URIRef):
            rows = [(curie(p), [_shown(v) for v in sorted(values, key=str)]) for p, values in sorted(facts.items(), key=lambda i: curie(i[0]))
                    if p not in PARTITIONS]
            about.append((str(subject), rows))
            for kind in PARTITIONS:
                for part in facts.get(kind, []):
                    named = by_subject.get(part, {})
                    term = named.get(PARTITIONS[kind], [None])[0]
                    count = named.get(VOID.entities if kind == VOID.classPartition else VOID.triples, [Literal(0)])[0]
                    if term is not None:
                        partitions[kind].append((curie(term), int(str(count))))
    return {"about": about, "classes": sorted(partitions[VOID.classPartition]),
            "properties": sorted(partitions[VOID.propertyPartition])}


@router.api_route(VOID_PATH, methods=["GET", "HEAD"])
async def void(request: Request, executor: ExecutorDep, settings: SettingsDep, format: str | None = None) -> Response:
    """Triple and entity counts, class and property partitions, endpoint, dumps, URI space, examples, licence."""
    accept = request.headers.get("accept")
    html = format in ("html", negotiation.HTML) if format else negotiation.prefers_html(accept)
    media_type = None if html else negotiation.negotiate(accept, format).get("graph")
    if media_type is None and not html:
        raise NotAcceptable("VoID is RDF (or HTML for browsers): accept Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG or text/html")
    job = void_job(settings, getattr(request.app.state, "release", None))
    triples = await executor.run(job, protocol.client_of(request))
    if html:
        assert isinstance(triples, Triples)
        return render(request, "void.html", headers={"Vary": "Accept"}, **_view(triples))
    return triples_response(triples, media_type)  # type: ignore[arg-type]
