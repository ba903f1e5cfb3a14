"""The queries the home page draws (whole-store counts: seconds of work), as jobs the app computes once per data version.

The home page (server/routers/home.py) runs these same jobs, so the values :func:`warm` keeps answer its first
visitor too (``Executor.warm``: kept per data version, never charged to a client).
"""

from __future__ import annotations

from rdflib import URIRef

from kg.namespaces import KG
from server.browse_jobs import BoundQuery
from server.executor import Executor
from server.jobs import pairs

TOPS = (("Top deployers", "home/top-agents", "role", KG.deployer),
        ("Top developers", "home/top-agents", "role", KG.developer),
        ("Top ethical issues", "home/top-concepts", "property", KG.ethicalIssue),
        ("Top harms", "home/top-concepts", "property", KG.externalHarm))
"""The bar charts of the home page: title, query, the variable bound and its value."""
CHARTS = ("home/databases", "home/organisations", "home/per-year", "home/jurisdictions")
"""The home page's other queries (no values bound)."""


def chart_job(name: str, **bindings: URIRef) -> BoundQuery:
    """The job of one of the home page's queries."""
    return BoundQuery(name, pairs(bindings))


def jobs() -> list[BoundQuery]:
    """Every job the home page runs."""
    return [chart_job(name) for name in CHARTS] + [chart_job(name, **{key: value}) for _, name, key, value in TOPS]


def warm(executor: Executor, timeout: float) -> None:
    """Start computing the home page's jobs for the data version served, in the background, and keep them."""
    for job in jobs():
        executor.warm(job, timeout)
