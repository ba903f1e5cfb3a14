"""Measure a pair of incident records from different databases: text similarity, shared organisations, years, places."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz

from kg.link.embeddings import Vectors
from kg.link.records import IncidentRecord, words
from kg.link.text import TfIdf, Vector, char_ngrams, cosine

# Words too common in incident titles to say which event a title is about (IDF handles the rest).
STOPWORDS = frozenset({
    "a", "an", "the", "of", "in", "on", "for", "to", "by", "and", "or", "with", "as", "at", "from", "its",
    "is", "are", "was", "were", "be", "been", "after", "over", "into", "via", "ai", "allegedly", "reportedly",
    "purportedly", "purported", "alleged", "it", "that", "this", "their", "his", "her", "has", "have", "had",
    "not", "who", "which", "than", "but", "they", "them", "he", "she", "s", "inc", "ltd", "co",
})


@dataclass(frozen=True)
class Evidence:
    """What one pair has in common: similarities in [0, 1], shared organisations (IRIs), the gap in years."""

    text: float  # TF-IDF cosine of titles, descriptions and system names
    coverage: float  # how much of the rarer-word weight of each title the other record repeats
    title: float  # rapidfuzz token-set similarity of the titles
    title_chars: float  # TF-IDF cosine of the titles' character trigrams
    rarest: float  # the rarest word both texts use: its IDF over the largest IDF (a proper name scores near 1)
    shared_weight: float  # the IDF-weight of all the words both texts use, over 40 (capped at 1)
    deployers: tuple[str, ...]
    developers: tuple[str, ...]
    organisations: tuple[str, ...]  # named by both, in any role (one source's developer is the other's deployer)
    named: tuple[str, ...]  # organisations or systems of one record named in the other's text
    developer_conflict: bool
    year_gap: int | None
    place_agreement: bool
    place_conflict: bool
    shared_words: tuple[str, ...]
    cosine: float = 0.0  # cosine of the two records' sentence embeddings (kg.link.embeddings)
    rare_organisation: float = 0.0  # the rarest organisation or party both name, in any role: log(N / records
    # naming it) over log(N), so a shared Playground AI says more than a shared Google
    cosine_margin_left: float = 0.0  # the cosine minus the best other cosine among the left record's candidates
    # into the right's database (negative: another candidate is nearer); set by kg.link.candidates.with_margins
    cosine_margin_right: float = 0.0  # the same for the right record

    def describe(self) -> str:
        """The evidence as one line a reviewer can read."""
        parts = [f"text {self.text:.2f}", f"title words {self.coverage:.2f}", f"title {self.title:.2f}",
                 f"title trigrams {self.title_chars:.2f}", f"rarest shared word {self.rarest:.2f}",
                 f"embedding cosine {self.cosine:.2f}"]
        parts.append("shared deployer " + " ".join(slug(d) for d in self.deployers) if self.deployers
                     else "no shared deployer")
        if self.developers:
            parts.append("shared developer " + " ".join(slug(d) for d in self.developers))
        elif self.developer_conflict:
            parts.append("developers differ")
        if others := [o for o in self.organisations if o not in self.deployers + self.developers]:
            parts.append("shared organisation " + " ".join(slug(o) for o in others))
        if self.rare_organisation:
            parts.append(f"rarest shared organisation or party {self.rare_organisation:.2f}")
        if self.named:
            parts.append("named in the other's text: " + "; ".join(self.named[:4]))
        parts.append("year unknown" if self.year_gap is None else f"years {self.year_gap} apart")
        if self.place_conflict:
            parts.append("jurisdictions differ")
        elif self.place_agreement:
            parts.append("same country")
        parts.append("shared words: " + " ".join(self.shared_words[:8]))
        return "; ".join(parts)


def slug(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def countries(places: set[str]) -> set[str]:
    """The ISO 3166-1 countries of jurisdiction IRIs: a subdivision (``gb-sct``) counts as its country (``gb``);
    places without an ISO code (``global``, ``european-union``) count as unknown, never as a disagreement."""
    found = set()
    for place in places:
        key = place.rsplit("/", 1)[-1]
        if re.fullmatch(r"[a-z]{2}(?:-[a-z0-9]{1,3})?", key):
            found.add(key[:2])
    return found


def stem(word: str) -> str:
    """A light English stemmer, so that "crashes", "crashed" and "crash" meet: plural and verb endings only."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    for ending, shortest in (("ing", 6), ("ed", 5), ("es", 5), ("s", 4)):
        if word.endswith(ending) and len(word) >= shortest and not word.endswith("ss"):
            return word[:-len(ending)]
    return word


def tokens_of(text: str) -> list[str]:
    """Content words of ``text``, stemmed."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def content_words(texts: set[str]) -> set[str]:
    return {w for text in texts for w in tokens_of(text)}


class Scorer:
    """Measures pairs with word and trigram weights (inverse document frequency) learnt from every record, and
    the records' sentence embeddings."""

    def __init__(self, records: list[IncidentRecord], vectors: Vectors) -> None:
        self.vectors = vectors
        self.title_words: dict[str, set[str]] = {}
        self.all_words: dict[str, set[str]] = {}
        tokens: dict[str, list[str]] = {}
        grams: dict[str, list[str]] = {}
        for record in records:
            texts = record.titles | record.descriptions | record.systems
            tokens[record.key] = [w for text in sorted(texts) for w in tokens_of(text)]
            self.title_words[record.key] = content_words(record.titles)
            self.all_words[record.key] = set(tokens[record.key])
            grams[record.key] = [g for title in sorted(record.titles) for g in char_ngrams(title)]
        self.words = TfIdf(tokens.values())
        self.idf = {word: weight - 1.0 for word, weight in self.words.idf.items()}
        self.grams = TfIdf(grams.values())
        self.text_vectors: dict[str, Vector] = {key: self.words.vector(t) for key, t in tokens.items()}
        self.gram_vectors: dict[str, Vector] = {key: self.grams.vector(g) for key, g in grams.items()}
        self.names = {record.key: self.names_of(record) for record in records}
        self.naming = Counter(o for record in records for o in record.organisations | record.parties)
        self.record_count = len(records)

    @staticmethod
    def names_of(record: IncidentRecord) -> dict[str, frozenset[str]]:
        """The organisations (from their IRIs' slugs) and systems a record names, each as its content words."""
        found = {slug(o).replace("-", " "): frozenset(tokens_of(slug(o).replace("-", " ")))
                 for o in record.organisations | record.parties}
        found.update({s: frozenset(tokens_of(s)) for s in record.systems})
        return {name: tokens for name, tokens in found.items() if tokens}

    def rare_organisation(self, a: IncidentRecord, b: IncidentRecord) -> float:
        """How rare the rarest organisation or party both records name is (0: none shared; near 1: only these)."""
        shared = (a.organisations | a.parties) & (b.organisations | b.parties)
        if not shared or self.record_count < 2:
            return 0.0
        scale = math.log(self.record_count)
        return max(math.log(self.record_count / self.naming[o]) for o in shared) / scale

    def weight(self, tokens: set[str]) -> float:
        return sum(self.idf.get(t, 0.0) for t in tokens)

    def coverage(self, a: IncidentRecord, b: IncidentRecord) -> float:
        """How much of the rarer-word weight of each title the other record's text repeats: mostly the better
        side (AIAAIC titles are short and AIID descriptions repeat them), partly the worse."""
        ratios = []
        for one, other in ((a, b), (b, a)):
            title = self.title_words[one.key]
            weight = self.weight(title)
            ratios.append(self.weight(title & self.all_words[other.key]) / weight if weight else 0.0)
        return 0.7 * max(ratios) + 0.3 * min(ratios)

    def named(self, a: IncidentRecord, b: IncidentRecord) -> tuple[str, ...]:
        """Names of one record's organisations or systems whose words all occur in the other's text (rare ones)."""
        found = set()
        for one, other in ((a, b), (b, a)):
            text = self.all_words[other.key]
            for name, tokens in self.names[one.key].items():
                if tokens <= text and self.weight(set(tokens)) >= 2.5:
                    found.add(name)
        return tuple(sorted(found))

    def evidence(self, a: IncidentRecord, b: IncidentRecord) -> Evidence:
        shared = self.title_words[a.key] & self.all_words[b.key] | self.title_words[b.key] & self.all_words[a.key]
        common = self.all_words[a.key] & self.all_words[b.key]
        top = max(self.idf.values(), default=1.0) or 1.0
        title = max((fuzz.token_set_ratio(x.lower(), y.lower()) / 100 for x in a.titles for y in b.titles),
                    default=0.0)
        gap = abs(a.year - b.year) if a.year is not None and b.year is not None else None
        here, there = countries(a.places), countries(b.places)
        return Evidence(
            text=round(cosine(self.text_vectors[a.key], self.text_vectors[b.key]), 3),
            coverage=round(self.coverage(a, b), 3),
            title=round(title, 3),
            title_chars=round(cosine(self.gram_vectors[a.key], self.gram_vectors[b.key]), 3),
            rarest=round(max((self.idf.get(w, 0.0) for w in common), default=0.0) / top, 3),
            shared_weight=round(min(self.weight(common) / 40, 1.0), 3),
            deployers=tuple(sorted(a.deployers & b.deployers)),
            developers=tuple(sorted(a.developers & b.developers)),
            organisations=tuple(sorted(a.organisations & b.organisations)),
            named=self.named(a, b),
            developer_conflict=bool(a.developers and b.developers and not a.developers & b.developers),
            year_gap=gap,
            place_agreement=bool(here & there),
            place_conflict=bool(here and there and not here & there),
            shared_words=tuple(sorted(shared, key=lambda w: (-self.idf.get(w, 0.0), w))),
            cosine=round(max(float(self.vectors[a.key] @ self.vectors[b.key]), 0.0), 3),
            rare_organisation=round(self.rare_organisation(a, b), 3),
        )
