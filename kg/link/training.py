"""Fit the link model on the pairs people labelled, choose its threshold by cross-validation, and write it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.link.candidates import rank_features, score_pairs
from kg.link.evaluation import read_held_out, read_labels
from kg.link.model import PAIR_FEATURES, RANK_FEATURES, LinkModel, Logistic
from kg.link.records import IncidentRecord
from kg.link.review import read_decisions

SEED = 14
UNLABELLED_NEGATIVES = 1500  # blocked pairs nobody labelled, drawn at random, taken as different (few are twins)
FOLDS = 5
TARGET_PRECISION = 0.97  # the threshold is the lowest whose cross-validated precision reaches this
BLANK = LinkModel(Logistic(PAIR_FEATURES, (0.0,) * (len(PAIR_FEATURES) + 1)),
                  Logistic(PAIR_FEATURES + RANK_FEATURES, (0.0,) * (len(PAIR_FEATURES + RANK_FEATURES) + 1)),
                  1.0, "")


@dataclass(frozen=True)
class TrainingReport:
    """What the fit saw and how it did under cross-validation, on the labelled pairs only."""

    positives: int
    negatives: int
    unlabelled_negatives: int
    precision: float
    recall: float
    threshold: float


def labelled_pairs(files: list[Path], review: Path) -> dict[tuple[str, str], int]:
    """1 for pairs judged the same event, 0 for the others, from label files, held-out samples and the review file."""
    labels: dict[tuple[str, str], int] = {}
    for path in files:
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if header.startswith("sampled,"):
            for record in read_held_out(path):
                for other in record.looked_at:
                    pair = tuple(sorted((record.key, other), key=_order))
                    labels[pair] = int(other in record.twins)  # type: ignore[index]
        else:
            labels.update({(p.left, p.right): int(p.label == "exact") for p in read_labels(path)})
    for pair, decision in read_decisions(review).items():
        labels.setdefault(pair, int(decision.decision == "exact"))
    return labels


def _order(key: str) -> int:
    return 0 if key.startswith("AIAAIC") else 1 if key.startswith("AIID") else 2


def fit(rows: list[list[float]], labels: list[int], weights: list[float]) -> tuple[Logistic, Logistic]:
    """Both stages on the same rows: the pair features alone, then with the ranks."""
    width = len(PAIR_FEATURES)
    return (Logistic.fit(PAIR_FEATURES, [r[:width] for r in rows], labels, weights),
            Logistic.fit(PAIR_FEATURES + RANK_FEATURES, rows, labels, weights))


def train(records: dict[URIRef, IncidentRecord], files: list[Path], review: Path) -> tuple[LinkModel, TrainingReport]:
    """Rank features come from a first stage fitted on pair features; the threshold from out-of-fold probabilities."""
    labels = labelled_pairs(files, review)
    pairs = score_pairs(records, BLANK)
    index = {(left.key, right.key): i for i, (left, right, *_ ) in enumerate(pairs)}
    labelled = [(index[pair], label) for pair, label in sorted(labels.items()) if pair in index]
    unlabelled = sorted(i for pair, i in index.items() if pair not in labels)
    random.Random(SEED).shuffle(unlabelled)
    extra = [(i, 0) for i in unlabelled[:UNLABELLED_NEGATIVES]]
    chosen = labelled + extra
    rows = [pairs[i][3][:len(PAIR_FEATURES)] for i, _ in chosen]
    y = [label for _, label in chosen]
    weights = [1.0] * len(chosen)
    first, _ = fit([r + [0.0] * len(RANK_FEATURES) for r in rows], y, weights)
    ranks = rank_features([(left, right, first.linear(f[:len(PAIR_FEATURES)])) for left, right, _, f, _ in pairs])
    full = [pairs[i][3][:len(PAIR_FEATURES)] + ranks[i] for i, _ in chosen]
    out_of_fold = [0.0] * len(chosen)
    order = list(range(len(chosen)))
    random.Random(SEED + 1).shuffle(order)
    for fold in range(FOLDS):
        test = set(order[fold::FOLDS])
        train_rows = [i for i in range(len(chosen)) if i not in test]
        _, model = fit([full[i] for i in train_rows], [y[i] for i in train_rows], [weights[i] for i in train_rows])
        for i in test:
            out_of_fold[i] = model.probability(full[i])
    threshold, precision, recall = choose_threshold(out_of_fold[:len(labelled)], y[:len(labelled)])
    _, second = fit(full, y, weights)
    files_named = ", ".join(sorted(p.name for p in files) + [review.name])
    model = LinkModel(first, second, threshold, f"{len(labelled)} labelled pairs ({files_named}) and "
                      f"{len(extra)} unlabelled blocked pairs taken as different (seed {SEED})")
    positives = sum(y[:len(labelled)])
    return model, TrainingReport(positives, len(labelled) - positives, len(extra), precision, recall, threshold)


def choose_threshold(probabilities: list[float], labels: list[int]) -> tuple[float, float, float]:
    """The lowest probability threshold whose precision reaches TARGET_PRECISION (and from which every higher
    threshold's does too), with that precision and recall."""
    ranked = sorted(zip(probabilities, labels, strict=True), reverse=True)
    positives = sum(labels) or 1
    chosen = (1.0, 1.0, 0.0)
    true = false = 0
    for probability, label in ranked:
        true, false = true + label, false + (1 - label)
        precision = true / (true + false)
        if precision < TARGET_PRECISION and false > 1:
            break
        if precision >= TARGET_PRECISION:
            chosen = (round(probability, 3), precision, true / positives)
    return chosen
