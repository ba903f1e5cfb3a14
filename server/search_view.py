"""What a search answers over HTTP: the parameters read into a SearchRequest, the JSON models, the CSV export,
and the links (facet toggles, pages, downloads) that make every search a permalink.

The parameters are the same for ``/api/search`` and ``/search``: ``q`` (words), ``kind`` (repeated: incident,
organisation, system, concept), ``filter`` (repeated ``facet:value``, e.g. ``country:https://w3id.org/...``;
values of one facet are alternatives, facets combine), ``page`` (from 1) and ``size`` (hits a page, at most 100).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from urllib.parse import urlencode

from pydantic import BaseModel, Field

from kg.describe import local_path
from kg.errors import InvalidSearch
from kg.search import FACETS, KINDS, MAX_EXPORT, SearchRequest, SearchResult
from server.refusals import BadRequest

PARAMETERS = {"text": "q", "filters": "filter", "kinds": "kind", "offset": "page", "limit": "size"}
"""The request's fields by the HTTP parameter that sets them (named in a 400)."""
FACET_NAMES = {"source": "Source database", "year": "Year", "country": "Country", "sector": "Sector",
               "technology": "Technology", "ethical_issue": "Ethical issue", "harm": "Harm",
               "deployer": "Deployer", "developer": "Developer"}
CSV_COLUMNS = ("iri", "kind", "label", "identifier", "years", "sources", "page", "score")


@dataclass(frozen=True)
class Asked:
    """The search as the URL states it (what links keep or change)."""

    q: str = ""
    kinds: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    page: int = 1
    size: int = 20

    def query_string(self, **changes: object) -> str:
        """The URL query of this search with ``changes`` (page, filters, format, ...), empty parts left out."""
        state = {"q": self.q, "kind": list(self.kinds), "filter": [f"{f}:{v}" for f, v in self.filters],
                 "page": self.page if self.page != 1 else None, "size": self.size if self.size != 20 else None}
        for name, value in changes.items():
            if name == "filters":
                state["filter"] = [f"{f}:{v}" for f, v in value]  # type: ignore[attr-defined]
            else:
                state[name] = value
        return urlencode({k: v for k, v in state.items() if v not in (None, "", [])}, doseq=True)

    def toggled(self, facet: str, value: str) -> str:
        """The query of this search with the filter ``facet:value`` added, or removed if present (page 1)."""
        pair = (facet, value)
        filters = tuple(p for p in self.filters if p != pair) if pair in self.filters else (*self.filters, pair)
        return self.query_string(filters=filters, page=None)


def asked(q: str, kind: list[str], filter: list[str], page: int, size: int) -> Asked:
    """The parameters, checked: a filter must read ``facet:value``."""
    pairs = []
    for item in filter:
        facet, colon, value = item.partition(":")
        if not colon or not value:
            raise BadRequest(f"parameter 'filter': expected facet:value (facets: {', '.join(FACETS)}), got {item!r}")
        pairs.append((facet, value))
    return Asked(q, tuple(dict.fromkeys(kind)), tuple(dict.fromkeys(pairs)), page, size)


def search_request(search: Asked, deadline: float, export: bool = False) -> SearchRequest:
    """The library's request for ``search`` (a page, or the whole result set); a 400 names the bad parameter."""
    try:
        return SearchRequest(search.q, search.filters, search.kinds or KINDS,
                             offset=0 if export else (search.page - 1) * search.size,
                             limit=MAX_EXPORT if export else search.size, export=export, deadline=deadline)
    except InvalidSearch as error:
        detail = str(error).split(": ", 1)[-1]
        if error.field == "offset":
            detail = f"page {search.page} of {search.size} hits starts past the {MAX_EXPORT}th hit"
        raise BadRequest(f"parameter '{PARAMETERS.get(error.field, error.field)}': {detail}") from None


class HitModel(BaseModel):
    """One thing found."""

    iri: str
    kind: str = Field(description="incident, organisation, system or concept")
    label: str
    page: str | None = Field(description="its page on this server")
    identifier: str = Field(description="notations (an incident's identifiers), comma-separated")
    years: list[str]
    sources: list[str] = Field(description="IRIs of the source databases that have it (incidents)")
    snippet: str
    score: float = Field(description="BM25 rank, higher is better (0 when no words were given)")


class FacetValueModel(BaseModel):
    value: str = Field(description="an IRI, or a year")
    label: str
    count: int = Field(description="incidents found that have it")
    filter: str = Field(description="the `filter` parameter that selects it")


class SearchPage(BaseModel):
    """One page of hits, the total, the counts by kind and by facet value, and links."""

    q: str
    filters: list[str]
    total: int
    page: int
    size: int
    kinds: dict[str, int]
    hits: list[HitModel]
    facets: dict[str, list[FacetValueModel]]
    version: str = Field(description="the data version searched")
    seconds: float
    links: dict[str, str] = Field(description="self, next, previous, csv and json (the whole result set), html")


class SearchExport(BaseModel):
    """The whole result set (``format=json``)."""

    q: str
    filters: list[str]
    total: int
    version: str
    hits: list[HitModel]


def hit_models(result: SearchResult) -> list[HitModel]:
    return [HitModel(iri=h.iri, kind=h.kind, label=h.label, page=local_path(h.iri), identifier=h.identifier,
                     years=list(h.years), sources=list(h.sources), snippet=h.snippet, score=h.score)
            for h in result.hits]


def links(search: Asked, result: SearchResult) -> dict[str, str]:
    found = {"self": f"/api/search?{search.query_string()}", "html": f"/search?{search.query_string()}",
             "csv": f"/api/search?{search.query_string(page=None, size=None, format='csv')}",
             "json": f"/api/search?{search.query_string(page=None, size=None, format='json')}"}
    if search.page * search.size < result.total:
        found["next"] = f"/api/search?{search.query_string(page=search.page + 1)}"
    if search.page > 1:
        found["previous"] = f"/api/search?{search.query_string(page=search.page - 1)}"
    return found


def page_model(search: Asked, result: SearchResult) -> SearchPage:
    facets = {facet: [FacetValueModel(value=v.value, label=v.label, count=v.count, filter=f"{facet}:{v.value}")
                      for v in values] for facet, values in result.facets.items()}
    return SearchPage(q=search.q, filters=[f"{f}:{v}" for f, v in search.filters], total=result.total,
                      page=search.page, size=search.size, kinds=result.kinds, hits=hit_models(result), facets=facets,
                      version=result.version, seconds=result.seconds, links=links(search, result))


def export_model(search: Asked, result: SearchResult) -> SearchExport:
    return SearchExport(q=search.q, filters=[f"{f}:{v}" for f, v in search.filters], total=result.total,
                        version=result.version, hits=hit_models(result))


def export_csv(result: SearchResult, public_url: str) -> bytes:
    """The whole result set as CSV (one row a hit, list values joined with spaces, pages as full URLs)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for h in result.hits:
        page = local_path(h.iri)
        writer.writerow([h.iri, h.kind, h.label, h.identifier, " ".join(h.years), " ".join(h.sources),
                         public_url.rstrip("/") + page if page else "", h.score])
    return out.getvalue().encode("utf-8")
