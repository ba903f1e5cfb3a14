"""The query page (``/`` and ``/query``), its static files, and the example queries it offers (``/examples``)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse

from kg import queries
from server.rendering import STATIC

router = APIRouter()
QUERY_PAGE = STATIC / "query.html"


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/query", methods=["GET", "HEAD"], include_in_schema=False)
def query_page() -> FileResponse:
    """The page: write or pick a query, see the results as a table, download them."""
    return FileResponse(QUERY_PAGE, media_type="text/html")


@router.api_route("/examples", methods=["GET", "HEAD"])
def examples() -> list[dict[str, object]]:
    """The example queries shipped with the package: name, title, description, text, parameters."""
    return [
        {
            "name": e.name,
            "title": e.title,
            "description": e.description,
            "query": e.text,
            "params": {name: str(value) for name, value in e.params.items()},
        }
        for e in queries.examples().values()
    ]
