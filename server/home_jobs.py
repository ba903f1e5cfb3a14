"""The home page's statistics as jobs (kg/queries/home): whole-graph counts, computed once per data version when the
server starts, beside the descriptions (server/served_store.py), so no visitor pays for them."""

from __future__ import annotations

from rdflib import URIRef

from kg.namespaces import KG
from server.jobs import NamedQuery, pairs

TOPS: tuple[tuple[str, str, str, URIRef], ...] = (
    ("Top deployers", "home/top-agents", "role", KG.deployer),
    ("Top developers", "home/top-agents", "role", KG.developer),
    ("Top ethical issues", "home/top-concepts", "property", KG.ethicalIssue),
    ("Top harms", "home/top-concepts", "property", KG.externalHarm),
)
"""The bar charts of the home page: title, query, the variable bound, its value."""
PLAIN = ("home/databases", "home/organisations", "home/per-year", "home/jurisdictions")
"""The home page's queries that take no value."""


def chart_job(name: str, **bindings: URIRef) -> NamedQuery:
    """The job behind one chart (its values written into the query text, so its permalink runs as shown)."""
    return NamedQuery(name, pairs(bindings), as_values=True)


def home_jobs() -> list[NamedQuery]:
    """Every job the home page runs."""
    return [chart_job(name) for name in PLAIN] + [chart_job(name, **{key: value}) for _, name, key, value in TOPS]
