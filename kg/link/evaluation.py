"""Measure the linker against pairs a person labelled by reading both records: precision and recall of exactMatch."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rdflib.namespace import SKOS

from kg.errors import DataSyntaxError
from kg.link.candidates import Candidate

LABELS = ("exact", "close", "related", "different")


@dataclass(frozen=True)
class LabelledPair:
    """Two incident keys (AIAAIC before AIID before OECD) and what a reader judged them to be."""

    left: str
    right: str
    label: str
    note: str


@dataclass(frozen=True)
class Scores:
    """How the proposed exactMatch links compare with the labels."""

    true_positives: tuple[tuple[str, str], ...]
    false_positives: tuple[tuple[str, str], ...]
    false_negatives: tuple[tuple[str, str], ...]

    @property
    def precision(self) -> float:
        proposed = len(self.true_positives) + len(self.false_positives)
        return len(self.true_positives) / proposed if proposed else 1.0

    @property
    def recall(self) -> float:
        expected = len(self.true_positives) + len(self.false_negatives)
        return len(self.true_positives) / expected if expected else 1.0


def read_labels(path: Path) -> list[LabelledPair]:
    """The labelled pairs in ``path`` (CSV: left,right,label,note), each label checked."""
    pairs = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            if row.get("label") not in LABELS or not row.get("left") or not row.get("right"):
                raise DataSyntaxError(str(path), row_number, f"label must be one of {', '.join(LABELS)}")
            pairs.append(LabelledPair(row["left"], row["right"], row["label"], row.get("note") or ""))
    return pairs


def score(candidates: list[Candidate], labels: list[LabelledPair]) -> Scores:
    """Precision and recall of the proposed exactMatch links over the labelled pairs (others are not judged)."""
    proposed = {(c.left.key, c.right.key) for c in candidates if c.predicate == SKOS.exactMatch}
    tp, fp, fn = [], [], []
    for pair in labels:
        key = (pair.left, pair.right)
        if key in proposed:
            (tp if pair.label == "exact" else fp).append(key)
        elif pair.label == "exact":
            fn.append(key)
    return Scores(tuple(tp), tuple(fp), tuple(fn))
