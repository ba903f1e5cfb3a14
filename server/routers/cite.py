"""``/cite/incident/{key}.bib|.ris|.json``: an incident's citation as BibTeX, RIS or CSL-JSON, accessed today.

The citation's data is one executor job (server/page_jobs.IncidentCitation, cached per data version); the date
of access is the day of the request (UTC). The incident page shows the same three texts in its Cite block.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kg import describe
from kg.cite import FORMATS, Citation, write
from kg.errors import NotFound
from server import protocol
from server.deps import ExecutorDep
from server.page_jobs import IncidentCitation

router = APIRouter()


def today() -> date:
    """The date of access a citation states: today in UTC."""
    return datetime.now(timezone.utc).date()


def cite_links(key: str) -> list[tuple[str, str, str]]:
    """Where the citations of incident ``key`` are downloaded: format name, URL path, media type."""
    return [(name, f"/cite/incident/{key}.{extension}", media) for extension, (name, media) in FORMATS.items()]


def cite_texts(found: Citation | None) -> list[tuple[str, str, str, str]]:
    """The Cite block of an incident page: format name, download path, media type, text (accessed today)."""
    if found is None:
        return []
    key = found.iri.rsplit("/", 1)[-1]
    return [(name, path, media, write(found, today(), path.rsplit(".", 1)[-1])) for name, path, media in cite_links(key)]


@router.api_route("/cite/incident/{name}", methods=["GET", "HEAD"])
async def cite(name: str, request: Request, executor: ExecutorDep) -> Response:
    """The citation of one incident: ``{key}.bib`` (BibTeX), ``{key}.ris`` (RIS) or ``{key}.json`` (CSL-JSON)."""
    key, _, extension = name.rpartition(".")
    if extension not in FORMATS or not key:
        raise NotFound(f"'{name}' names no citation: ask for {{key}}.bib, {{key}}.ris or {{key}}.json")
    iri = describe.minted_iri("id", f"incident/{key}")
    found = await executor.run(IncidentCitation(str(iri)), protocol.client_of(request))
    assert isinstance(found, Citation)
    media_type = FORMATS[extension][1]
    headers = {"Content-Disposition": f'inline; filename="{key}.{extension}"', "Link": f'<{iri}>; rel="cite-as"'}
    return Response(write(found, today(), extension), media_type=f"{media_type}; charset=utf-8", headers=headers)
