"""Atom feeds (RFC 4287) of what changed in the release served: ``/feeds/incidents.atom`` for the whole graph,
``/feeds/org/{key}.atom``, ``/feeds/concept/{scheme}/{key}.atom`` (countries are ``concept/jurisdiction/{code}``) for
the changed incidents about one organisation, concept or country.

The changes are the release's CHANGELOG.md (kg.release writes it, kg.feeds reads it); entries are dated by the time
that changelog was written. Each feed is one executor job (server/page_jobs.ReleaseFeed), cached per data version.
The pages a feed is about link to it (``<link rel="alternate" type="application/atom+xml">``, :func:`feed_path`).
"""

from __future__ import annotations

from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg import describe
from kg.errors import NotFound
from kg.feeds import read_changelog
from kg.release import CHANGELOG
from server import protocol
from server.deps import ExecutorDep, SettingsDep
from server.page_jobs import ReleaseFeed
from server.routers.dumps import served_release

router = APIRouter()
ATOM = "application/atom+xml"
WHOLE = "/feeds/incidents.atom"
ABOUT = ("org/", "concept/")
"""The kinds of things (first segments of their ``id/`` paths) that have a feed of their own."""


def feed_path(space: str, path: str) -> str | None:
    """The feed a page links to: the feed about it for an organisation or a concept, the whole graph's for an
    incident; None for other pages.

    >>> feed_path("id", "org/nec"), feed_path("id", "incident/AIAAIC0288"), feed_path("graph", "curated")
    ('/feeds/org/nec.atom', '/feeds/incidents.atom', None)
    """
    if space != "id":
        return None
    if path.startswith(ABOUT):
        return f"/feeds/{path}.atom"
    return WHOLE if path.startswith("incident/") else None


async def _feed(request: Request, executor: ExecutorDep, settings: SettingsDep, about: str | None, page: str) -> Response:
    release = served_release(request)
    changelog = release.folder / CHANGELOG
    changes = read_changelog(changelog.read_text(encoding="utf-8"))
    updated = datetime.fromtimestamp(changelog.stat().st_mtime, tz=timezone.utc).replace(microsecond=0)
    base = settings.public_url.rstrip("/")
    job = ReleaseFeed(changes, base + request.url.path, base + page, updated, about)
    document = await executor.run(job, protocol.client_of(request))
    assert isinstance(document, str)
    return Response(document, media_type=f"{ATOM}; charset=utf-8", headers={"Cache-Control": "public, max-age=3600"})


@router.api_route(WHOLE, methods=["GET", "HEAD"])
async def whole_graph(request: Request, executor: ExecutorDep, settings: SettingsDep) -> Response:
    """The incidents new or changed in the latest release."""
    return await _feed(request, executor, settings, None, "/")


@router.api_route("/feeds/{path:path}", methods=["GET", "HEAD"])
async def about(path: str, request: Request, executor: ExecutorDep, settings: SettingsDep) -> Response:
    """The incidents new or changed in the latest release that are about one organisation, concept or country."""
    key = path.removesuffix(".atom")
    if key == path or not key.startswith(ABOUT):
        raise NotFound(f"no feed '/feeds/{path}': feeds are {WHOLE}, /feeds/org/{{key}}.atom and "
                       f"/feeds/concept/{{scheme}}/{{key}}.atom")
    iri = describe.minted_iri("id", key)
    return await _feed(request, executor, settings, str(iri), f"/doc/{key}")
