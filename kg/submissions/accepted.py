"""Accepted submissions into a build: each one's statements added to the dataset as its own named graph."""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from kg.submissions.database import SubmissionDatabase
from kg.submissions.to_rdf import UnsupportedTarget, submission_graph


def add_accepted(dataset: Dataset, database: Path) -> int:
    """Add every accepted submission in ``database`` to ``dataset``; the number added (kept-for-review ones skipped)."""
    db = SubmissionDatabase(database)
    added = 0
    try:
        for stored in db.accepted():
            try:
                statements = submission_graph(stored)
            except UnsupportedTarget:
                continue
            graph = dataset.graph(statements.identifier)
            for triple in statements:
                graph.add(triple)
            added += 1
    finally:
        db.close()
    return added
