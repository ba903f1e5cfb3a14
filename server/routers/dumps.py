"""``/dumps/``: the release of the build being served, listed (HTML, or DCAT by Accept) and downloadable, resumable.

When the app starts, :func:`server.served_store.open_release` makes sure the data it serves has a release beside the store
(``<store>/releases/<data version>/``, or ``KG_RELEASES``), writing it if missing; the data version is the
embedded build's id, or the id of the remote store's last load. Files are sent from disk with
their SHA-256 as entity tag, so identical files keep their tag across builds.
"""

from __future__ import annotations

import calendar
import logging
import re

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import Graph

from kg.errors import NotFound, StoreError
from kg.release import CATALOGUE, CHANGELOG, Release, catalogue, sha256_of
from kg.settings import Settings
from server import protocol
from server.conditional import FileVersion, file_response
from server.deps import ExecutorDep, SettingsDep
from server.documents import HTML, graph_response, representation
from server.page_jobs import RightsStatement
from server.rendering import render

log = logging.getLogger(__name__)
router = APIRouter()
EXTRAS = {CATALOGUE: "text/turtle", CHANGELOG: "text/markdown"}
"""Files of a release that the catalogue does not list, and their media types."""


_BUILD_ID = re.compile(r"^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})")


def release_name(version: str) -> str:
    """How a release reads to people: its date and time when the version is a build id (``20261202T171001-…``),
    else the version given to ``kg release --version``.

    >>> release_name("20261202T171001-12138172428825"), release_name("1.2")
    ('2 December 2026, 17:10 UTC', '1.2')
    """
    match = _BUILD_ID.match(version)
    if match is None:
        return version
    year, month, day, hour, minute = match.groups()
    return f"{int(day)} {calendar.month_name[int(month)]} {year}, {hour}:{minute} UTC"


def dumps_url(settings: Settings) -> str:
    """Where the files of the current release are downloaded from."""
    return settings.public_url.rstrip("/") + "/dumps/"


def served_release(request: Request) -> Release:
    """The release this app serves; 503 when it could not be written at start-up."""
    release: Release | None = getattr(request.app.state, "release", None)
    if release is None:
        raise StoreError("no release is available: the server could not write one for its build (see its log)")
    return release


@router.api_route("/dumps/", methods=["GET", "HEAD"])
async def listing(request: Request, executor: ExecutorDep, settings: SettingsDep, format: str | None = None) -> Response:
    """The current release: each file's size, triples, SHA-256, media type, licence; as HTML or DCAT."""
    release = served_release(request)
    media_type = representation(request, format)
    rights = await executor.run(RightsStatement(), protocol.client_of(request))
    assert isinstance(rights, str)
    if media_type == HTML:
        return render(request, "dumps.html", headers={"Vary": "Accept"}, release=release, rights=rights,
                      name=release_name(release.version))
    text = catalogue(release.version, release.files, rights=rights, download_base=dumps_url(settings))
    return graph_response(Graph().parse(data=text, format="turtle"), media_type)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"])
def download(name: str, request: Request) -> Response:
    """One file of the release, with ETag, Last-Modified and byte ranges; conditional requests answered."""
    release = served_release(request)
    listed = {f.name: f for f in release.files}
    if name in listed:
        entry = listed[name]
        media_type, digest = ("application/gzip" if entry.compressed else entry.media_type), entry.sha256
    elif name in EXTRAS:
        media_type, digest = EXTRAS[name], sha256_of(release.folder / name)
    else:
        known = ", ".join([*listed, *EXTRAS])
        raise NotFound(f"release {release.version} has no file '{name}': it has {known}")
    path = release.folder / name
    stat = path.stat()
    version = FileVersion(path, media_type, f'"{digest}"', stat.st_mtime, stat.st_size)
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "public, max-age=3600"}
    return file_response(request, version, headers)


@router.get("/release/{version}", include_in_schema=False)
@router.get("/release/{version}/{name}", include_in_schema=False)
def release_iri(version: str, request: Request, name: str | None = None) -> Response:
    """A release's IRI (as the catalogue names it): 303 to its listing or file while it is the one served."""
    release = served_release(request)
    if version != release.version:
        raise NotFound(f"release {version} is not served here: the current release is {release.version}, at /dumps/")
    return RedirectResponse(f"/dumps/{name or ''}", status_code=303)
