"""Fit the link model on the pairs people labelled, choose its threshold by cross-validation, and write it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from kg.link.candidates import rank_features, score_pairs
from kg.link.embeddings import Vectors
from kg.link.evaluation import HeldOutRecord, read_held_out, read_labels
from kg.link.model import PAIR_FEATURES, RANK_FEATURES, LinkModel, Logistic
from kg.link.records import IncidentRecord
from kg.link.review import read_decisions

SEED = 14
UNLABELLED_NEGATIVES = 1500  # blocked pairs nobody labelled, drawn at random, taken as different (few are twins)
FOLDS = 5
TARGET_PRECISION = 0.95  # the threshold is the lowest whose cross-validated precision reaches this
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


def labelled_pairs(files: list[Path], review: Path) -> tuple[dict[tuple[str, str], int], list[HeldOutRecord]]:
    """1 for pairs judged the same event, 0 for the others, from label files, random samples and the review file;
    and the records of the random samples (each searched by hand: every pair of theirs is labelled)."""
    labels: dict[tuple[str, str], int] = {}
    sampled: list[HeldOutRecord] = []
    for path in files:
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if header.startswith("sampled,"):
            for record in read_held_out(path):
                sampled.append(record)
                for other in record.looked_at:
                    left, right = sorted((record.key, other), key=_order)
                    labels[(left, right)] = int(other in record.twins)
        else:
            labels.update({(p.left, p.right): int(p.label == "exact") for p in read_labels(path)})
    for pair, decision in read_decisions(review).items():
        labels.setdefault(pair, int(decision.decision == "exact"))
    return labels, sampled


def label_sampled(pairs: list[tuple[IncidentRecord, IncidentRecord]], sampled: list[HeldOutRecord],
                  labels: dict[tuple[str, str], int]) -> set[tuple[str, str]]:
    """Label every blocked pair of a sampled record into the database searched for it: a twin or not.
    Returns those pairs: they are what the records linking meets look like, and set the threshold."""
    searched = {(record.key, record.database): record.twins for record in sampled}
    found = set()
    for left, right in pairs:
        for one, other in ((left, right), (right, left)):
            twins = searched.get((one.key, other.database))
            if twins is not None:
                labels[(left.key, right.key)] = int(other.key in twins)
                found.add((left.key, right.key))
    return found


def _order(key: str) -> int:
    return 0 if key.startswith("AIAAIC") else 1 if key.startswith("AIID") else 2


def fit_ranked(rows: list[list[float]], labels: list[int], weights: list[float]) -> Logistic:
    """The second stage: pair features and ranks."""
    return Logistic.fit(PAIR_FEATURES + RANK_FEATURES, rows, labels, weights)


def train(records: dict[URIRef, IncidentRecord], vectors: Vectors, files: list[Path],
          review: Path) -> tuple[LinkModel, TrainingReport]:
    """Rank features come from a first stage fitted on pair features; the threshold from out-of-fold probabilities."""
    labels, sampled = labelled_pairs(files, review)
    pairs = score_pairs(records, BLANK, vectors)
    population = label_sampled([(left, right) for left, right, *_ in pairs], sampled, labels)
    index = {(left.key, right.key): i for i, (left, right, *_ ) in enumerate(pairs)}
    labelled = [(index[pair], label) for pair, label in sorted(labels.items()) if pair in index]
    unlabelled = sorted(i for pair, i in index.items() if pair not in labels)
    random.Random(SEED).shuffle(unlabelled)
    extra = [(i, 0) for i in unlabelled[:UNLABELLED_NEGATIVES]]
    chosen = labelled + extra
    rows = [pairs[i][3][:len(PAIR_FEATURES)] for i, _ in chosen]
    y = [label for _, label in chosen]
    weights = [1.0] * len(chosen)
    first = Logistic.fit(PAIR_FEATURES, rows, y, weights)
    ranks = rank_features([(left, right, first.linear(f[:len(PAIR_FEATURES)]), evidence.cosine)
                           for left, right, evidence, f, _ in pairs])
    full = [pairs[i][3][:len(PAIR_FEATURES)] + ranks[i] for i, _ in chosen]
    out_of_fold = [0.0] * len(chosen)
    order = list(range(len(chosen)))
    random.Random(SEED + 1).shuffle(order)
    for fold in range(FOLDS):
        test = set(order[fold::FOLDS])
        train_rows = [i for i in range(len(chosen)) if i not in test]
        model = fit_ranked([full[i] for i in train_rows], [y[i] for i in train_rows], [weights[i] for i in train_rows])
        for i in test:
            out_of_fold[i] = model.probability(full[i])
    drawn = [i for i, (row, _) in enumerate(labelled) if (pairs[row][0].key, pairs[row][1].key) in population]
    # a pair that is not the best of its right-hand record's is never linked, whatever its probability
    eligible = [out_of_fold[i] if full[i][len(PAIR_FEATURES) + 1] == 1.0 else -1.0 for i in drawn]
    threshold, precision, recall = choose_threshold(eligible, [y[i] for i in drawn])
    second = fit_ranked(full, y, weights)
    files_named = ", ".join(sorted(p.name for p in files) + [review.name])
    model = LinkModel(first, second, threshold, f"{len(labelled)} labelled pairs ({files_named}) and "
                      f"{len(extra)} unlabelled blocked pairs taken as different (seed {SEED})")
    positives = sum(y[:len(labelled)])
    return model, TrainingReport(positives, len(labelled) - positives, len(extra), precision, recall, threshold)


def choose_threshold(probabilities: list[float], labels: list[int]) -> tuple[float, float, float]:
    """The lowest probability threshold at which the pairs scoring at least as much reach TARGET_PRECISION, with
    that precision and recall (from out-of-fold probabilities of the pairs of randomly drawn records)."""
    ranked = sorted(zip(probabilities, labels, strict=True), reverse=True)
    positives = sum(labels) or 1
    chosen = (1.0, 1.0, 0.0)
    true = false = 0
    for probability, label in ranked:
        if probability < 0:
            break
        true, false = true + label, false + (1 - label)
        precision = true / (true + false)
        if precision >= TARGET_PRECISION:
            chosen = (round(probability, 3), precision, true / positives)
    return chosen
