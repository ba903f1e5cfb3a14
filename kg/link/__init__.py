"""Link incident records across databases (AIAAIC, AIID, OECD AIM): candidates, conservative decisions, review file.

``link_incidents`` reads the incidents from a store, blocks and scores cross-database pairs with the link model
(:mod:`kg.link.model`, fitted on labelled pairs by :mod:`kg.link.training`; sentence embeddings from
:mod:`kg.link.embeddings`, computed in numpy by :mod:`kg.link.minilm`), proposes skos:exactMatch at the model's
threshold, and returns the candidates; :mod:`kg.link.review` writes the ones a person should decide,
:mod:`kg.link.duplicates` AIAAIC's internal near-duplicates, and
:mod:`kg.link.links` turns automatic and reviewed links into triples with VoID link sets. Organisations, places
and jurisdictions are reconciled with Wikidata by :mod:`kg.link.wikidata_links` (candidates from an endpoint,
a review file, reviewed ``schema:sameAs`` links).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.link.candidates import Candidate, find_candidates
from kg.link.duplicates import write_duplicates
from kg.link.embeddings import record_vectors
from kg.link.links import links_graph
from kg.link.model import LinkModel
from kg.link.records import read_records
from kg.link.review import read_decisions, write_review
from kg.link.training import TrainingReport, train
from kg.store import TripleStore

__all__ = ["Candidate", "LinkResult", "link_incidents"]


@dataclass(frozen=True)
class LinkResult:
    """What a linking run produced: every candidate, the rows written for review, and the links as triples."""

    candidates: list[Candidate]
    review_rows: int
    links: Graph
    duplicate_rows: int | None = None
    training: TrainingReport | None = None

    @property
    def exact(self) -> int:
        return sum(1 for c in self.candidates if c.predicate is not None)


def link_incidents(store: TripleStore, review: Path, links_out: Path | None = None, *, model_path: Path,
                   embeddings: Path, embedding_model: Path | None = None, duplicates: Path | None = None,
                   train_on: list[Path] | None = None) -> LinkResult:
    """Recompute the candidates from ``store`` with the model in ``model_path`` (refitted first on ``train_on``
    and the review file's decisions, when given), rewrite ``review`` (keeping its decisions), write the links
    and, when asked, the AIAAIC duplicates review file. The records' sentence embeddings are read from
    ``embeddings``; texts not in it are embedded with the model in ``embedding_model`` (or the installed one)."""
    records = read_records(store)
    vectors = record_vectors(list(records.values()), embeddings, embedding_model)
    report = None
    if train_on is not None:
        model, report = train(records, vectors, train_on, review)
        model_path.parent.mkdir(parents=True, exist_ok=True)
        model_path.write_text(model.to_json(), encoding="utf-8")
    model = LinkModel.read(model_path)
    candidates = find_candidates(records, model, vectors)
    decided = read_decisions(review)
    rows = write_review(review, candidates, decided)
    graph = links_graph(candidates, decided)
    if links_out is not None:
        links_out.parent.mkdir(parents=True, exist_ok=True)
        graph.serialize(destination=links_out, format="turtle")
    duplicate_rows = write_duplicates(duplicates, records, model, vectors) if duplicates is not None else None
    return LinkResult(candidates, rows, graph, duplicate_rows, report)
