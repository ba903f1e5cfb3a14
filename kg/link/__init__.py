"""Link incident records across databases (AIAAIC, AIID, OECD AIM): candidates, conservative decisions, review file.

``link_incidents`` reads the incidents from a store, scores cross-database pairs, proposes skos:exactMatch only
when sure, and returns the candidates; :mod:`kg.link.review` writes the ones a person should decide, and
:mod:`kg.link.links` turns automatic and reviewed links into triples with VoID link sets. Organisations, places
and jurisdictions are reconciled with Wikidata by :mod:`kg.link.wikidata_links` (candidates from an endpoint,
a review file, reviewed ``schema:sameAs`` links).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.link.candidates import Candidate, find_candidates
from kg.link.links import links_graph
from kg.link.records import read_records
from kg.link.review import read_decisions, write_review
from kg.store import TripleStore

__all__ = ["Candidate", "LinkResult", "link_incidents"]


@dataclass(frozen=True)
class LinkResult:
    """What a linking run produced: every candidate, the rows written for review, and the links as triples."""

    candidates: list[Candidate]
    review_rows: int
    links: Graph

    @property
    def exact(self) -> int:
        return sum(1 for c in self.candidates if c.predicate is not None)


def link_incidents(store: TripleStore, review: Path, links_out: Path | None = None) -> LinkResult:
    """Recompute the candidates from ``store``, rewrite ``review`` (keeping its decisions), and write the links."""
    candidates = find_candidates(read_records(store))
    decided = read_decisions(review)
    rows = write_review(review, candidates, decided)
    graph = links_graph(candidates, decided)
    if links_out is not None:
        links_out.parent.mkdir(parents=True, exist_ok=True)
        graph.serialize(destination=links_out, format="turtle")
    return LinkResult(candidates, rows, graph)
