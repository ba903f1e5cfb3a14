"""Full-text search over the graph: an SQLite FTS5 index written with each build, searched with facets.

>>> from kg.search import SearchRequest
>>> SearchRequest("Kings Cross", filters=(("country", "https://w3id.org/ai-incidents/id/concept/jurisdiction/gb"),)).limit
20
"""

from pathlib import Path

from kg.search.engine import search
from kg.search.index import INDEX_FILE, build_index
from kg.search.replica import ensure_replica_index, replica_index
from kg.search.model import FACETS, KINDS, MAX_EXPORT, MAX_PAGE, FacetValue, Hit, SearchRequest, SearchResult



def index_of(build: Path) -> Path:
    """The search index file of a store build (``<store>/builds/<id>/``), written there by ``kg build``."""
    return Path(build) / INDEX_FILE


def build_id(build: Path) -> str:
    """The id of a build from its folder, complete (``<id>``) or being written (``<id>.<pid>.partial``)."""
    return Path(build).name.split(".", 1)[0]


__all__ = ["build_id", "ensure_replica_index", "index_of", "replica_index", "FACETS", "INDEX_FILE", "KINDS", "MAX_EXPORT", "MAX_PAGE", "FacetValue", "Hit", "SearchRequest", "SearchResult", "build_index", "search"]
