"""Text similarity for linking: TF-IDF vectors over words and character n-grams, compared by cosine."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable

Vector = dict[str, float]


def char_ngrams(text: str, size: int = 3) -> list[str]:
    """Character n-grams of ``text`` with words padded by a space each side (names survive word-order changes)."""
    grams: list[str] = []
    for word in text.lower().split():
        padded = f" {''.join(ch for ch in word if ch.isalnum())} "
        grams.extend(padded[i:i + size] for i in range(max(len(padded) - size + 1, 0)))
    return [gram for gram in grams if gram.strip()]


class TfIdf:
    """Inverse document frequencies learnt from a collection, and unit-length TF-IDF vectors for its documents."""

    def __init__(self, documents: Iterable[Iterable[str]]) -> None:
        counts: Counter[str] = Counter()
        total = 0
        for tokens in documents:
            counts.update(set(tokens))
            total += 1
        self.total = max(total, 1)
        self.idf = {token: math.log((1 + self.total) / (1 + count)) + 1.0 for token, count in counts.items()}

    def vector(self, tokens: Iterable[str]) -> Vector:
        """Sub-linear term frequency times IDF, scaled to unit length (empty for no known token)."""
        frequencies = Counter(tokens)
        weights = {t: (1 + math.log(n)) * self.idf.get(t, 0.0) for t, n in frequencies.items()}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {t: w / norm for t, w in weights.items() if w} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two unit-length vectors: the sum over the shorter one's tokens."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())
