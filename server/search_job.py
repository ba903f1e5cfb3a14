"""The full-text search job: run in a query worker on the index of the data it serves, like any other job.

The index is the build's own ``search.sqlite`` for an embedded store (the build the worker opened), or the file
a replica wrote for the remote store's data version (server/search_index.py), named in the job. A search is
timed, budgeted and cached by the executor like a query; an export (the whole result set) is capped by the
worker's ``max_rows``, refused whole over it (ResultTooLarge), never cut.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from kg.errors import NotFound, ResultTooLarge
from kg.search import SearchRequest, SearchResult, index_of, search
from kg.store import TripleStore
from server.jobs import Limits


@dataclass(frozen=True)
class SearchJob:
    """A search of the index ``index`` (empty: the index of the build the worker's store was opened from)."""

    request: SearchRequest
    index: str = ""

    def run(self, store: TripleStore, limits: Limits) -> SearchResult:
        result = search(self._index(store), self._capped(limits))
        if self.request.export and result.total > len(result.hits) + self.request.offset:
            raise ResultTooLarge(f"the search finds {result.total} things, more than the {limits.max_rows} an export "
                                 "may hold: add words or filters to narrow it")
        return result

    def _index(self, store: TripleStore) -> Path:
        if self.index:
            return Path(self.index)
        build = getattr(store, "location", None)
        if build is None:
            raise NotFound("this server has no search index for the data it serves")
        return index_of(build)

    def _capped(self, limits: Limits) -> SearchRequest:
        """The request, an export's limit lowered to the worker's row cap."""
        if self.request.export and self.request.limit > limits.max_rows:
            return dataclasses.replace(self.request, limit=limits.max_rows)
        return self.request
