"""Score a pair of incident records from different databases: text overlap, shared deployers, years, places."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from kg.link.records import IncidentRecord, words

# Words too common in incident titles to say which event a title is about (IDF handles the rest).
STOPWORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "for", "to", "by", "and", "or", "with", "as", "at", "from", "its",
    "is", "are", "was", "were", "be", "been", "after", "over", "into", "via", "ai", "allegedly", "reportedly",
    "purportedly", "purported", "alleged",
})


@dataclass(frozen=True)
class Evidence:
    """The features of one pair, each in [0, 1] (years: the gap in years, None when either is unknown)."""

    text: float
    title: float
    deployers: tuple[str, ...]
    developers: tuple[str, ...]
    developer_conflict: bool
    year_gap: int | None
    place_conflict: bool
    shared_words: tuple[str, ...]

    @property
    def score(self) -> float:
        """One number for ranking: text counts most, a shared deployer and a matching year add to it."""
        value = 0.6 * self.text + 0.15 * self.title + (0.25 if self.deployers else 0.0)
        if self.year_gap is not None and self.year_gap > 1:
            value -= 0.2 * min(self.year_gap - 1, 3)
        if self.place_conflict:
            value -= 0.2
        return round(max(0.0, min(1.0, value)), 3)

    def describe(self) -> str:
        """The evidence as one line a reviewer can read."""
        parts = [f"text {self.text:.2f}", f"title {self.title:.2f}"]
        parts.append("shared deployer " + " ".join(d.rsplit("/", 1)[-1] for d in self.deployers) if self.deployers
                     else "no shared deployer")
        if self.developers:
            parts.append("shared developer " + " ".join(d.rsplit("/", 1)[-1] for d in self.developers))
        elif self.developer_conflict:
            parts.append("developers differ")
        parts.append("year unknown" if self.year_gap is None else f"years {self.year_gap} apart")
        if self.place_conflict:
            parts.append("jurisdictions differ")
        parts.append("shared words: " + " ".join(self.shared_words[:8]))
        return "; ".join(parts)


def countries(places: set[str]) -> set[str]:
    """The ISO 3166-1 countries of jurisdiction IRIs: a subdivision (``gb-sct``) counts as its country (``gb``);
    places without an ISO code (``global``, ``european-union``) count as unknown, never as a disagreement."""
    found = set()
    for place in places:
        key = place.rsplit("/", 1)[-1]
        if re.fullmatch(r"[a-z]{2}(?:-[a-z0-9]{1,3})?", key):
            found.add(key[:2])
    return found


class Scorer:
    """Scores pairs with word weights (inverse document frequency) learnt from every record's texts."""

    def __init__(self, records: list[IncidentRecord]) -> None:
        counts: Counter[str] = Counter()
        self.title_words: dict[str, set[str]] = {}
        self.all_words: dict[str, set[str]] = {}
        for record in records:
            title = {w for t in record.titles for w in words(t)} - STOPWORDS
            text = title | ({w for d in record.descriptions for w in words(d)} - STOPWORDS)
            self.title_words[record.key], self.all_words[record.key] = title, text
            counts.update(text)
        total = max(len(records), 1)
        self.idf = {word: math.log(total / count) for word, count in counts.items()}

    def weight(self, tokens: set[str]) -> float:
        return sum(self.idf.get(t, 0.0) for t in tokens)

    def coverage(self, a: IncidentRecord, b: IncidentRecord) -> float:
        """How much of the rarer-word weight of each title the other record's text repeats.

        Mostly the better side (AIAAIC titles are short and AIID descriptions repeat them), partly the worse,
        so that a short generic title is not enough.
        """
        ratios = []
        for one, other in ((a, b), (b, a)):
            title = self.title_words[one.key]
            weight = self.weight(title)
            ratios.append(self.weight(title & self.all_words[other.key]) / weight if weight else 0.0)
        return 0.7 * max(ratios) + 0.3 * min(ratios)

    def evidence(self, a: IncidentRecord, b: IncidentRecord) -> Evidence:
        shared = self.title_words[a.key] & self.all_words[b.key] | self.title_words[b.key] & self.all_words[a.key]
        title = max((fuzz.token_set_ratio(x.lower(), y.lower()) / 100 for x in a.titles for y in b.titles),
                    default=0.0)
        gap = abs(a.year - b.year) if a.year is not None and b.year is not None else None
        return Evidence(
            text=round(self.coverage(a, b), 3),
            title=round(title, 3),
            deployers=tuple(sorted(a.deployers & b.deployers)),
            developers=tuple(sorted(a.developers & b.developers)),
            developer_conflict=bool(a.developers and b.developers and not a.developers & b.developers),
            year_gap=gap,
            place_conflict=bool(countries(a.places) and countries(b.places) and not countries(a.places) & countries(b.places)),
            shared_words=tuple(sorted(shared, key=lambda w: (-self.idf.get(w, 0.0), w))),
        )
