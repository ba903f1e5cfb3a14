"""The link model: a pair's evidence as numbers, and a logistic regression (fitted by Newton's method) over them."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataSyntaxError
from kg.link.scoring import Evidence

# What the first stage sees: the pair alone.
PAIR_FEATURES = (
    "text", "coverage", "title", "title_chars", "rarest", "shared_weight", "shared_deployer", "shared_developer", "shared_organisation",
    "named", "developer_conflict", "same_year", "year_apart", "years_apart_2_or_more", "year_unknown",
    "same_country", "countries_differ", "cosine", "rare_organisation", "cosine_margin_left", "cosine_margin_right",
)
# What the second stage adds: how the pair ranks among each record's candidates in the other's database, by the
# first stage's score and by embedding cosine (nearest).
RANK_FEATURES = ("best_for_left", "best_for_right", "margin_left", "margin_right", "nearest_for_left",
                 "nearest_for_right")


def pair_features(e: Evidence) -> list[float]:
    """The first-stage features of a pair, each in [0, 1] (the cosine margins in [-1, 1])."""
    gap = e.year_gap
    return [
        e.text, e.coverage, e.title, e.title_chars, e.rarest, e.shared_weight, float(bool(e.deployers)), float(bool(e.developers)),
        float(bool(e.organisations)), min(len(e.named), 2) / 2, float(e.developer_conflict),
        float(gap == 0), float(gap == 1), (min(gap, 10) - 1) / 9 if gap is not None and gap >= 2 else 0.0,
        float(gap is None), float(e.place_agreement), float(e.place_conflict), e.cosine, e.rare_organisation,
        e.cosine_margin_left, e.cosine_margin_right,
    ]


def sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(value, 40.0), -40.0)))


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve ``matrix · x = vector`` by Gaussian elimination with partial pivoting (the matrix is small)."""
    size = len(vector)
    rows = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(col + 1, size):
            factor = rows[r][col] / rows[col][col]
            for c in range(col, size + 1):
                rows[r][c] -= factor * rows[col][c]
    solution = [0.0] * size
    for r in range(size - 1, -1, -1):
        solution[r] = (rows[r][size] - sum(rows[r][c] * solution[c] for c in range(r + 1, size))) / rows[r][r]
    return solution


@dataclass(frozen=True)
class Logistic:
    """Logistic regression weights: an intercept, then one weight per named feature."""

    names: tuple[str, ...]
    weights: tuple[float, ...]

    def linear(self, features: list[float]) -> float:
        return self.weights[0] + sum(w * x for w, x in zip(self.weights[1:], features, strict=True))

    def probability(self, features: list[float]) -> float:
        return sigmoid(self.linear(features))

    @classmethod
    def fit(cls, names: tuple[str, ...], rows: list[list[float]], labels: list[int], weights: list[float],
            penalty: float = 1.0, rounds: int = 12) -> Logistic:
        """Maximum likelihood with an L2 penalty on the feature weights (not the intercept), by Newton steps."""
        size = len(names) + 1
        beta = [0.0] * size
        design = [[1.0, *row] for row in rows]
        for _ in range(rounds):
            gradient = [-penalty * b if i else 0.0 for i, b in enumerate(beta)]
            hessian = [[(penalty if i == j and i else 0.0) + (1e-9 if i == j else 0.0) for j in range(size)]
                       for i in range(size)]
            for x, y, w in zip(design, labels, weights, strict=True):
                p = sigmoid(sum(b * v for b, v in zip(beta, x, strict=True)))
                for i in range(size):
                    gradient[i] += w * (y - p) * x[i]
                    scale = w * p * (1 - p) * x[i]
                    for j in range(i, size):
                        hessian[i][j] += scale * x[j]
            for i in range(size):
                for j in range(i):
                    hessian[i][j] = hessian[j][i]
            step = solve(hessian, gradient)
            beta = [b + s for b, s in zip(beta, step, strict=True)]
            if max(abs(s) for s in step) < 1e-4:
                break
        return cls(names, tuple(round(b, 6) for b in beta))


@dataclass(frozen=True)
class LinkModel:
    """Two logistic stages (the pair alone, then with its ranks) and the probability above which to link."""

    pair: Logistic
    ranked: Logistic
    threshold: float
    trained_on: str
    mutual_threshold: float | None = None  # AIAAIC-AIID pairs that are each other's best link from here (None: threshold)

    @property
    def mutual(self) -> float:
        return self.threshold if self.mutual_threshold is None else min(self.mutual_threshold, self.threshold)

    def to_json(self) -> str:
        return json.dumps({
            "threshold": self.threshold, "mutual_threshold": self.mutual, "trained_on": self.trained_on,
            "pair": dict(zip(("intercept", *self.pair.names), self.pair.weights, strict=True)),
            "ranked": dict(zip(("intercept", *self.ranked.names), self.ranked.weights, strict=True)),
        }, indent=2) + "\n"

    @classmethod
    def read(cls, path: Path) -> LinkModel:
        """The model in ``path``; one whose features are not the ones this code computes is an error."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            stages = []
            for stage, names in (("pair", PAIR_FEATURES), ("ranked", PAIR_FEATURES + RANK_FEATURES)):
                weights = data[stage]
                if list(weights) != ["intercept", *names]:
                    raise DataSyntaxError(str(path), None, f"{stage} features must be intercept, {', '.join(names)}")
                stages.append(Logistic(names, tuple(float(w) for w in weights.values())))
            mutual = data.get("mutual_threshold")
            return cls(stages[0], stages[1], float(data["threshold"]), str(data["trained_on"]),
                       None if mutual is None else float(mutual))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise DataSyntaxError(str(path), None, f"not a link model: {error}") from error
