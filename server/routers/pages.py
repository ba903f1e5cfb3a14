"""The query page (``/query``), its static files, and the example queries it offers (``/examples``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from rdflib import URIRef

from kg import queries
from kg.errors import QueryError
from kg.sparql_values import with_values
from server.rendering import STATIC

router = APIRouter()
QUERY_PAGE = STATIC / "query.html"


@router.api_route("/query", methods=["GET", "HEAD"], include_in_schema=False)
def query_page() -> FileResponse:
    """The workbench: write or pick a query, see the results as a table or a chart, download them."""
    return FileResponse(QUERY_PAGE, media_type="text/html")


def _federation(request: Request, example: queries.Example) -> str:
    """Why this server cannot run ``example`` (empty when it can): a SERVICE example needs its endpoint allowed."""
    if not example.service:
        return ""
    settings = request.app.state.settings
    endpoint = getattr(settings, f"{example.service}_endpoint", "")
    if endpoint and endpoint in settings.service_allow:
        return ""
    return (f"needs federation: this server does not call {endpoint or example.service} "
            "(its KG_SERVICE_ALLOW does not list it)")


def bound_text(example: queries.Example, values: dict[str, str]) -> str:
    """The example's text with its parameters (defaults, overridden by ``values``) written into a VALUES block.

    The endpoint an example's ``SERVICE ?name`` calls is the server's to bind, so that parameter is left out.
    """
    unknown = sorted(set(values) - set(example.params))
    if unknown:
        raise QueryError(f"the example '{example.name}' has no parameter {', '.join(unknown)} "
                         f"(it takes: {', '.join(example.params) or 'none'})")
    bound = {name: URIRef(values.get(name, str(default)).strip().strip("<>"))
             for name, default in example.params.items() if name != example.service}
    return with_values(example.text, bound)


@router.api_route("/examples", methods=["GET", "HEAD"])
def examples(request: Request) -> list[dict[str, object]]:
    """The example queries shipped with the package: name, title, description, text, parameters with their
    defaults, the text with those defaults bound (``bound``), and why it cannot run here (``unavailable``)."""
    return [
        {
            "name": e.name,
            "title": e.title,
            "description": e.description,
            "query": e.text,
            "params": {name: str(value) for name, value in e.params.items()},
            "service": e.service,
            "bound": bound_text(e, {}),
            "unavailable": _federation(request, e),
        }
        for e in queries.examples().values()
    ]


@router.get("/examples/{name}")
def example_with_values(name: str, request: Request) -> dict[str, str]:
    """One example with its parameters bound: the defaults, or the IRIs given in the query string."""
    example = queries.example(name)
    return {"name": name, "query": bound_text(example, dict(request.query_params))}
