"""Find candidate pairs of incidents from different databases and decide, conservatively, what each pair is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from rdflib import URIRef
from rdflib.namespace import SKOS

from kg.link.records import IncidentRecord
from kg.link.scoring import Evidence, Scorer

# A pair is only scored when its titles share a word at least this rare (about 1 record in 20) or a deployer.
RARE_WORD = 3.0
# Thresholds, chosen on the labelled sample in tests/data/links/ (see the README's "Links" section).
EXACT_SCORE = {0: 0.64, 1: 0.72}  # by the gap in years: a year apart needs stronger agreement
EXACT_TEXT = 0.4
STRONG_TEXT = STRONG_TITLE = 0.7  # without a shared deployer: same year, and the texts and titles agree this strongly
MARGIN = 0.05
REVIEW_SCORE = 0.45
PAIRS = {("AIAAIC", "AIID"), ("AIAAIC", "OECD"), ("AIID", "OECD")}


@dataclass(frozen=True)
class Candidate:
    """A scored pair, with the link the linker proposes (exactMatch) or None when a person must decide."""

    left: IncidentRecord
    right: IncidentRecord
    evidence: Evidence
    predicate: URIRef | None

    @property
    def score(self) -> float:
        return self.evidence.score


def decide(evidence: Evidence, unrivalled: bool) -> URIRef | None:
    """skos:exactMatch only when sure, otherwise None (a person reviews the pair).

    Sure means: each record is the other's clear best match (``unrivalled``), both give a year and the years
    are at most one apart (AIAAIC pages about a system or a practice have none), no jurisdiction disagrees, and
    either a deployer is shared and the texts agree strongly (more strongly when the years differ), or, with no
    shared deployer (most AIAAIC rows name none), the year is the same and both the texts and the titles agree
    very strongly. A disagreeing developer does not count against a pair: sources disagree on developers
    (AIID 391 names Hikvision where AIAAIC1513 names Facewatch).
    """
    threshold = EXACT_SCORE.get(evidence.year_gap) if evidence.year_gap is not None else None
    if not unrivalled or threshold is None or evidence.place_conflict:
        return None
    if evidence.deployers and evidence.score >= threshold and evidence.text >= EXACT_TEXT:
        return SKOS.exactMatch
    if evidence.year_gap == 0 and evidence.text >= STRONG_TEXT and evidence.title >= STRONG_TITLE:
        return SKOS.exactMatch
    return None


def unrivalled_pairs(scored: list[tuple[IncidentRecord, IncidentRecord, Evidence]]) -> set[tuple[str, str]]:
    """Pairs that are each side's best match, ahead of its next best (in the other's database) by MARGIN.

    Only pairs that could be exact (both records dated) compete: an undated AIAAIC page about a system does
    not make its dated incident pages ambiguous.
    """
    ranked: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for left, right, evidence in scored:
        if evidence.year_gap is None:
            continue
        ranked[(left.key, right.database)].append((evidence.score, right.key))
        ranked[(right.key, left.database)].append((evidence.score, left.key))
    best: dict[tuple[str, str], str] = {}
    for side, scores in ranked.items():
        scores.sort(reverse=True)
        if len(scores) == 1 or scores[0][0] - scores[1][0] >= MARGIN:
            best[side] = scores[0][1]
    return {(left.key, right.key) for left, right, _ in scored
            if best.get((left.key, right.database)) == right.key and best.get((right.key, left.database)) == left.key}


def ordered(a: IncidentRecord, b: IncidentRecord) -> tuple[IncidentRecord, IncidentRecord]:
    """AIAAIC before AIID before OECD, so that each pair has one orientation."""
    return (a, b) if (a.database, b.database) in PAIRS else (b, a)


def blocks(records: list[IncidentRecord], scorer: Scorer) -> set[tuple[str, str]]:
    """Pairs of keys from different databases sharing a rare title word or a deployer."""
    index: dict[str, list[IncidentRecord]] = defaultdict(list)
    for record in records:
        for word in scorer.title_words[record.key]:
            if scorer.idf.get(word, 0.0) >= RARE_WORD:
                index["w:" + word].append(record)
        for deployer in record.deployers:
            index["d:" + deployer].append(record)
    pairs: set[tuple[str, str]] = set()
    for group in index.values():
        if len(group) > 400:
            continue
        for a, b in combinations(group, 2):
            if a.database != b.database:
                left, right = ordered(a, b)
                pairs.add((left.key, right.key))
    return pairs


def find_candidates(records: dict[URIRef, IncidentRecord], minimum: float = REVIEW_SCORE) -> list[Candidate]:
    """Every cross-database pair scoring at least ``minimum``, best first, each with the link proposed."""
    values = list(records.values())
    scorer = Scorer(values)
    by_key = {record.key: record for record in values}
    scored = []
    for left_key, right_key in blocks(values, scorer):
        left, right = by_key[left_key], by_key[right_key]
        scored.append((left, right, scorer.evidence(left, right)))
    unrivalled = unrivalled_pairs(scored)
    found = [Candidate(left, right, evidence, decide(evidence, (left.key, right.key) in unrivalled))
             for left, right, evidence in scored if evidence.score >= minimum]
    found.sort(key=lambda c: (-c.score, c.left.key, c.right.key))
    return found
