"""Find candidate pairs of incidents from different databases (blocking), score them with the link model, decide."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import combinations

from rdflib import URIRef
from rdflib.namespace import SKOS

from kg.link.embeddings import Vectors, nearest
from kg.link.model import LinkModel, pair_features
from kg.link.records import IncidentRecord
from kg.link.scoring import Evidence, Scorer

RARE_TITLE_WORD = 3.0  # a title word in at most about 1 record in 20 makes a block
RARE_TEXT_WORD = 4.5  # a description word in at most about 1 record in 90 does
LARGEST_BLOCK = 400  # a key shared by more records says too little to pair them all
NEIGHBOURS = 10  # each record is paired with its nearest records by embedding cosine in each other database
YEAR_WINDOW = 10  # twins can be years apart (AIID dates a programme's start: 2014 for a 2023 study)
REVIEW_SCORE = 0.1
PAIRS = {("AIAAIC", "AIID"), ("AIAAIC", "OECD"), ("AIID", "OECD")}


@dataclass(frozen=True)
class Candidate:
    """A scored pair, with the link the linker proposes (exactMatch) or None when a person must decide."""

    left: IncidentRecord
    right: IncidentRecord
    evidence: Evidence
    probability: float
    predicate: URIRef | None

    @property
    def score(self) -> float:
        return round(self.probability, 3)


def ordered(a: IncidentRecord, b: IncidentRecord) -> tuple[IncidentRecord, IncidentRecord]:
    """AIAAIC before AIID before OECD, so that each pair has one orientation."""
    return (a, b) if (a.database, b.database) in PAIRS else (b, a)


def block_keys(record: IncidentRecord, scorer: Scorer) -> set[str]:
    """What a record can be paired on: its organisations (reconciled nodes, any role), rare title and text words."""
    keys = {"o:" + organisation for organisation in record.organisations}
    keys.update("w:" + w for w in scorer.title_words[record.key] if scorer.idf.get(w, 0.0) >= RARE_TITLE_WORD)
    keys.update("w:" + w for w in scorer.all_words[record.key] if scorer.idf.get(w, 0.0) >= RARE_TEXT_WORD)
    return keys


def neighbours(records: list[IncidentRecord], vectors: Vectors) -> list[tuple[IncidentRecord, IncidentRecord]]:
    """Each record with its NEIGHBOURS nearest records by embedding cosine in each other database (twins that
    share no rare word are often each other's nearest)."""
    by_database: dict[str, list[IncidentRecord]] = defaultdict(list)
    for record in records:
        by_database[record.database].append(record)
    by_key = {record.key: record for record in records}
    found = []
    for database, group in by_database.items():
        for other, candidates in by_database.items():
            if other == database:
                continue
            near = nearest(vectors, [r.key for r in group], [r.key for r in candidates], NEIGHBOURS)
            found += [(by_key[key], by_key[hit]) for key, hits in near.items() for hit, _ in hits]
    return found


def blocks(records: list[IncidentRecord], scorer: Scorer, same_database: bool = False) -> set[tuple[str, str]]:
    """Pairs of keys sharing a block key, or (across databases) one among the other's nearest neighbours, at most
    YEAR_WINDOW years apart (or undated), from different databases (or, with ``same_database``, the same one)."""
    index: dict[str, list[IncidentRecord]] = defaultdict(list)
    for record in records:
        for key in block_keys(record, scorer):
            index[key].append(record)
    grouped = (pair for group in index.values() if len(group) <= LARGEST_BLOCK for pair in combinations(group, 2))
    near = [] if same_database else neighbours(records, scorer.vectors)
    pairs: set[tuple[str, str]] = set()
    for a, b in (*grouped, *near):
        if (a.database == b.database) != same_database:
            continue
        if a.year is not None and b.year is not None and abs(a.year - b.year) > YEAR_WINDOW:
            continue
        left, right = ordered(a, b) if not same_database else sorted((a, b), key=lambda r: r.key)
        pairs.add((left.key, right.key))
    return pairs


def rank_features(scored: list[tuple[IncidentRecord, IncidentRecord, float, float]]) -> list[list[float]]:
    """For each pair (left, right, first-stage score, embedding cosine): is it the best of the left record's pairs
    into the right's database, and of the right's, by how much (the margin over the runner-up, capped at 1), and
    is it the left's and the right's nearest by cosine among those pairs."""
    ranked: dict[tuple[str, str], list[float]] = defaultdict(list)
    closest: dict[tuple[str, str], float] = defaultdict(float)
    for left, right, value, cosine in scored:
        for side in ((left.key, right.database), (right.key, left.database)):
            ranked[side].append(value)
            closest[side] = max(closest[side], cosine)
    for values in ranked.values():
        values.sort(reverse=True)
    features = []
    for left, right, value, cosine in scored:
        row = []
        for side in ((left.key, right.database), (right.key, left.database)):
            values = ranked[side]
            best = value >= values[0]
            runner_up = values[1] if best and len(values) > 1 else (values[0] if not best else value - 4.0)
            row.append((float(best), max(min((value - runner_up) / 4.0, 1.0), -1.0), float(cosine >= closest[side])))
        features.append([row[0][0], row[1][0], row[0][1], row[1][1], row[0][2], row[1][2]])
    return features


def with_margins(pairs: list[tuple[IncidentRecord, IncidentRecord, Evidence]]
                 ) -> list[tuple[IncidentRecord, IncidentRecord, Evidence]]:
    """Each pair's evidence with its cosine margins: for each record, how much nearer by embedding cosine this
    candidate is than its nearest other candidate in the same database (or, when another is nearer, how much
    farther), so that a twin that stands out among a record's candidates is told from one of several alike."""
    nearest_two: dict[tuple[str, str], list[float]] = defaultdict(list)
    for left, right, evidence in pairs:
        for side in ((left.key, right.database), (right.key, left.database)):
            values = nearest_two[side]
            values.append(evidence.cosine)
            values.sort(reverse=True)
            del values[2:]

    def margin(side: tuple[str, str], cosine: float) -> float:
        first, second = (nearest_two[side] + [0.0, 0.0])[:2]
        return round(cosine - second if cosine >= first else cosine - first, 3)

    return [(left, right, replace(evidence, cosine_margin_left=margin((left.key, right.database), evidence.cosine),
                                  cosine_margin_right=margin((right.key, left.database), evidence.cosine)))
            for left, right, evidence in pairs]


def score_pairs(records: dict[URIRef, IncidentRecord], model: LinkModel, vectors: Vectors
                ) -> list[tuple[IncidentRecord, IncidentRecord, Evidence, list[float], float]]:
    """Every blocked cross-database pair with its evidence, second-stage features and probability (``vectors``:
    the records' embeddings, from :func:`kg.link.embeddings.record_vectors`)."""
    values = list(records.values())
    scorer = Scorer(values, vectors)
    by_key = {record.key: record for record in values}
    measured = [(by_key[left_key], by_key[right_key], scorer.evidence(by_key[left_key], by_key[right_key]))
                for left_key, right_key in sorted(blocks(values, scorer))]
    pairs = [(left, right, evidence, pair_features(evidence)) for left, right, evidence in with_margins(measured)]
    first = [(left, right, model.pair.linear(features), evidence.cosine) for left, right, evidence, features in pairs]
    scored = []
    for (left, right, evidence, features), ranks in zip(pairs, rank_features(first), strict=True):
        row = features + ranks
        scored.append((left, right, evidence, row, model.ranked.probability(row)))
    return scored


def exact_pairs(scored: list[tuple[IncidentRecord, IncidentRecord, float]], threshold: float,
                mutual_threshold: float) -> set[tuple[str, str]]:
    """The pairs to link by skos:exactMatch: the best of the right-hand record's pairs into the left's database
    (each AIID or OECD record has at most one twin in each database before it; an AIAAIC record may have several
    AIID twins, since AIID records one event several times), scoring at least ``threshold``, or, for an
    AIAAIC-AIID pair that is also the best of the AIAAIC record's pairs into AIID (mutual best), at least
    ``mutual_threshold``: AIAAIC's short titles agree weakly with AIID's long descriptions, so a twin often scores
    low, but is still each record's best candidate."""
    best: dict[tuple[str, str], tuple[float, str]] = {}
    for left, right, probability in scored:
        for side, other in (((right.key, left.database), left.key), ((left.key, right.database), right.key)):
            if probability > best.get(side, (-1.0, ""))[0]:
                best[side] = (probability, other)
    found = set()
    for left, right, probability in scored:
        if best[(right.key, left.database)][1] != left.key:
            continue
        mutual = (left.database, right.database) == ("AIAAIC", "AIID") and \
            best[(left.key, right.database)][1] == right.key
        if probability >= threshold or (mutual and probability >= mutual_threshold):
            found.add((left.key, right.key))
    return found


def find_candidates(records: dict[URIRef, IncidentRecord], model: LinkModel, vectors: Vectors,
                    minimum: float = REVIEW_SCORE) -> list[Candidate]:
    """Every cross-database pair with probability at least ``minimum``, best first, each with the link proposed
    (skos:exactMatch for the :func:`exact_pairs` at the model's thresholds, else None)."""
    scored = score_pairs(records, model, vectors)
    exact = exact_pairs([(left, right, p) for left, right, _, _, p in scored], model.threshold, model.mutual)
    found = []
    for left, right, evidence, _, probability in scored:
        if probability < minimum:
            continue
        predicate = SKOS.exactMatch if (left.key, right.key) in exact else None
        found.append(Candidate(left, right, evidence, probability, predicate))
    found.sort(key=lambda c: (-c.probability, c.left.key, c.right.key))
    return found
