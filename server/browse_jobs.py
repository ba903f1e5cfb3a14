"""Jobs of the browse pages: a query of kg/queries with its values written into a VALUES block, so that optional
filters (``!BOUND(?country) || …``) see them on every backend, as rows or serialised (the CSV download)."""

from __future__ import annotations

from dataclasses import dataclass

from kg import queries
from kg.errors import ResultTooLarge
from kg.sparql_values import with_values
from kg.store import Solutions, TripleStore
from server.jobs import Limits, Pairs, serialized


def bound_text(name: str, bindings: Pairs) -> str:
    """The text that runs: query ``name`` with ``bindings`` as a VALUES block (also what the page links to)."""
    return with_values(queries.load(name), dict(bindings))


@dataclass(frozen=True)
class BoundQuery:
    """Query ``name`` with ``bindings`` in its text: rows back, or serialised in ``media_type``."""

    name: str
    bindings: Pairs = ()
    media_type: str | None = None

    def run(self, store: TripleStore, limits: Limits) -> object:
        text = bound_text(self.name, self.bindings)
        if self.media_type is not None:
            return serialized(store, limits, text, {"solutions": self.media_type})
        result = store.query(text)
        if isinstance(result, Solutions) and len(result.rows) > limits.max_rows:
            raise ResultTooLarge(f"the query {self.name} has more than {limits.max_rows} results")
        return result
