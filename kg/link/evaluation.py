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


HELD_OUT_LABELS = (*LABELS, "none")


@dataclass(frozen=True)
class HeldOutRecord:
    """A record drawn at random (not from the linker's candidates) and what a reader found in one other database.

    ``twins`` are the records there that describe the same event (none when the reader found none); ``looked_at``
    every record there the reader read and judged, twins included.
    """

    key: str
    database: str
    twins: frozenset[str]
    looked_at: frozenset[str]


def read_held_out(path: Path) -> list[HeldOutRecord]:
    """The held-out sample in ``path`` (CSV: sampled,other,label,note).

    ``other`` is a record of the database searched (labelled exact, close, related or different), or the name of
    that database with the label ``none`` when the reader found nothing there.
    """
    found: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            sampled, other, label = row.get("sampled") or "", row.get("other") or "", row.get("label") or ""
            if label not in HELD_OUT_LABELS or not sampled or not other:
                raise DataSyntaxError(str(path), row_number, f"label must be one of {', '.join(HELD_OUT_LABELS)}")
            database = other if label == "none" else other.split("-")[0].rstrip("0123456789")
            twins, looked_at = found.setdefault((sampled, database), (set(), set()))
            if label != "none":
                looked_at.add(other)
            if label == "exact":
                twins.add(other)
    return [HeldOutRecord(key, database, frozenset(twins), frozenset(seen))
            for (key, database), (twins, seen) in found.items()]


def score_held_out(candidates: list[Candidate], sample: list[HeldOutRecord]) -> Scores:
    """Precision and recall of exactMatch over the sampled records: every link the linker proposes from a sampled
    record into the database searched counts, whether or not the reader looked at its other end."""
    proposed: dict[tuple[str, str], set[str]] = {}
    for c in candidates:
        if c.predicate == SKOS.exactMatch:
            proposed.setdefault((c.left.key, c.right.database), set()).add(c.right.key)
            proposed.setdefault((c.right.key, c.left.database), set()).add(c.left.key)
    tp, fp, fn = [], [], []
    for record in sample:
        made = proposed.get((record.key, record.database), set())
        tp += [(record.key, other) for other in sorted(made & record.twins)]
        fp += [(record.key, other) for other in sorted(made - record.twins)]
        fn += [(record.key, other) for other in sorted(record.twins - made)]
    return Scores(tuple(tp), tuple(fp), tuple(fn))
