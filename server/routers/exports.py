"""Incidents as records of reporting frameworks (``/export/{framework}/incident/{key}``, JSON) and the frameworks'
coverage page (``/frameworks``). Data is read only through the executor, with the .rq files of kg/queries/frameworks."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from rdflib import URIRef

from kg.errors import NotFound
from kg.frameworks import coverage
from kg.frameworks.crosswalk import FRAMEWORKS, SOURCES, crosswalk
from kg.frameworks.export import assemble, needed
from kg.frameworks.records import definition
from kg.frameworks.values import Row
from kg.namespaces import ID
from kg.store import BUILDS
from server import protocol
from server.rendering import render

router = APIRouter()
RESULTS = "application/sparql-results+json"
KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


async def _rows(request: Request, name: str, incident: URIRef) -> list[Row]:
    """The rows of one field query for ``incident``, through the executor (budget, cache, limits)."""
    return await request.app.state.executor.select(f"frameworks/{name}", protocol.client_of(request), incident=incident)


@router.get("/export/{framework}/incident/{key}", include_in_schema=False)
async def export_incident(framework: str, key: str, request: Request) -> Response:
    """The incident ``key`` as a record of ``framework`` (oecd-crf or eu-ai-act-73): JSON, as ``kg export`` writes it."""
    if framework not in FRAMEWORKS:
        raise NotFound(f"no framework named {framework!r} (known: {', '.join(FRAMEWORKS)})")
    if not KEY.match(key):
        raise NotFound(f"no incident with key {key!r}")
    incident = ID[f"incident/{key}"]
    rows = {name: await _rows(request, name, incident) for name in needed(framework)}
    found = assemble(framework, rows, incident, request.app.state.executor.version)
    disposition = f'inline; filename="{key}.{framework}.json"'
    return JSONResponse(found, headers={"Content-Disposition": disposition})


@router.get("/frameworks", include_in_schema=False)
def frameworks_page(request: Request) -> Response:
    """The crosswalks and, when the build computed them (``kg build --coverage``), the coverage figures."""
    settings = request.app.state.settings
    figures = None if settings.store_url else coverage.read(settings.store / BUILDS / request.app.state.executor.version)
    walks = []
    for name in FRAMEWORKS:
        walk = crosswalk(name)
        cited = [walk.texts[key] for key in dict.fromkeys(key for f in walk.fields for key in f.texts)]
        walks.append((walk, [definition(f) for f in walk.fields], cited))
    return render(request, "frameworks.html", walks=walks, figures=figures, sources=SOURCES)
