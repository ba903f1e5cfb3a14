"""Charts drawn on the server as accessible SVG (title, desc, one link per bar or country): the geometry only;
server/templates/charts.html writes the markup."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlencode

from server.rendering import STATIC

WORLD_PATHS = STATIC / "vendor" / "world-atlas" / "world-paths.json"
PALETTE = ("#1f5f99", "#c2571a", "#2e7d32", "#7b1fa2", "#5d4037")
"""Fill colours of the series (contrast 4.5:1 or more on white)."""
MAP_SHADES = ("#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b")


def query_link(text: str, view: str = "table") -> str:
    """The workbench's permalink for ``text`` (server/static/query.js: the query and view in the fragment)."""
    return "/query#" + urlencode({"query": text, "view": view})


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str
    y: float
    width: float
    colour: str = PALETTE[0]
    x: float = 0.0


def bars(items: list[tuple[str, int, str]], width: float = 300.0, step: float = 22.0) -> tuple[list[Bar], float]:
    """Horizontal bars (label, value, link) scaled to ``width``; and the chart's height."""
    top = max((value for _, value, _ in items), default=0) or 1
    drawn = [Bar(label, value, href, i * step, width * value / top) for i, (label, value, href) in enumerate(items)]
    return drawn, max(step * len(items), step)


@dataclass(frozen=True)
class Column:
    year: str
    x: float
    parts: list[Bar]
    total: int


def columns(counts: dict[str, dict[str, int]], series: list[str], height: float = 160.0,
            width: float = 640.0) -> tuple[list[Column], float]:
    """Stacked columns, one per year (``counts[year][series] = value``), ``height`` high; and one column's width."""
    years = sorted(counts)
    top = max((sum(counts[y].values()) for y in years), default=0) or 1
    step = width / max(len(years), 1)
    drawn = []
    for i, year in enumerate(years):
        base, parts = height, []
        for j, name in enumerate(series):
            value = counts[year].get(name, 0)
            if not value:
                continue
            h = height * value / top
            base -= h
            parts.append(Bar(name, value, "", base, h, PALETTE[j % len(PALETTE)], i * step))
        drawn.append(Column(year, i * step, parts, sum(counts[year].values())))
    return drawn, step


def per_year(rows: list[dict[str, str]], series_key: str | None = None) -> dict[str, dict[str, int]]:
    """Rows with a ``year`` (and optionally a series column and an ``incidents`` count) as year -> series -> count."""
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in rows:
        year = row.get("year") or ""
        if not year:
            continue
        name = row.get(series_key, "") if series_key else "incidents"
        counts[year][name] = counts[year].get(name, 0) + int(row.get("incidents", 1))
    return dict(counts)


@lru_cache(maxsize=1)
def world() -> dict[str, dict[str, str]]:
    """ISO 3166-1 alpha-2 code (lower case) -> the country's name and SVG path (frontend/vendor.py)."""
    return json.loads(WORLD_PATHS.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    d: str
    value: int
    href: str
    fill: str


def world_map(counts: dict[str, tuple[int, str, str]]) -> list[Country]:
    """Every country of the map, shaded by its incidents (``counts[code] = (incidents, label, link)``)."""
    top = max((value for value, _, _ in counts.values()), default=0) or 1
    shapes = []
    for code, shape in world().items():
        value, label, href = counts.get(code, (0, shape["name"], ""))
        shade = "#f0f0f0" if not value else MAP_SHADES[min(int(len(MAP_SHADES) * (value / top) ** 0.35), len(MAP_SHADES) - 1)]
        shapes.append(Country(code, label, shape["d"], value, href, shade))
    return shapes


def quote(value: str) -> str:
    """A query-string value, percent-encoded."""
    from urllib.parse import quote as percent

    return percent(value, safe="")
