"""The home page (``/``): what the graph holds, a search box, ways to browse, and charts drawn from kg/queries/home."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import URIRef

from kg import __version__ as package_version
from kg.describe import local_path
from kg.store import Solutions
from server import charts, protocol
from server.deps import ExecutorDep
from server.home_jobs import TOPS, chart_job
from server.rendering import render

router = APIRouter()
BUILD_ID = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})")


def _text(rows: list[dict]) -> list[dict[str, str]]:  # type: ignore[type-arg]
    return [{k: str(v) for k, v in row.items()} for row in rows]


def _built(version: str) -> str:
    """The build's date from its id (``20261202T170957-…``), or empty for a remote store's load id."""
    found = BUILD_ID.match(version)
    return f"{found[1]}-{found[2]}-{found[3]} {found[4]}:{found[5]} UTC" if found else ""


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
async def home(request: Request, executor: ExecutorDep) -> Response:
    """The front door for people who do not write SPARQL."""
    client = protocol.client_of(request)

    async def chart(name: str, **bindings: URIRef) -> tuple[list[dict[str, str]], str]:
        job = chart_job(name, **bindings)
        result = await executor.run(job, client)
        assert isinstance(result, Solutions)
        rows = _text(result.rows)
        return rows, charts.query_link(job.text())

    databases, databases_sparql = await chart("home/databases")
    organisations, _ = await chart("home/organisations")
    years, years_sparql = await chart("home/per-year")
    series = [row["database"] for row in databases]
    year_columns, year_step = charts.columns(charts.per_year(years, "database"), series)
    tops = []
    for title, name, key, value in TOPS:
        rows, sparql = await chart(name, **{key: value})
        subject = "agent" if "agent" in rows[0] else "concept" if rows else "agent"
        items = [(row["label"] + (f" ({row['scheme']})" if row.get("scheme") else ""), int(row["incidents"]),
                  local_path(row[subject]) or "") for row in rows]
        drawn, height = charts.bars(items)
        tops.append({"title": title, "bars": drawn, "height": height, "sparql": sparql, "id": title.lower().replace(" ", "-")})
    places, places_sparql = await chart("home/jurisdictions")
    counts = {row["code"].lower(): (int(row["incidents"]), row["label"], local_path(row["jurisdiction"]) or "") for row in places}
    version = executor.version
    release = getattr(request.app.state, "release", None)
    return render(
        request, "home.html",
        databases=databases, databases_sparql=databases_sparql,
        organisations=organisations[0]["organisations"] if organisations else "0",
        total=sum(int(row["incidents"]) for row in databases),
        years=year_columns, year_step=year_step, series=list(zip(series, charts.PALETTE)), years_sparql=years_sparql,
        tops=tops, countries=charts.world_map(counts), top_places=places[:10], places_sparql=places_sparql,
        version=version, built=_built(version), release=release.version if release else "",
        package_version=package_version,
    )
