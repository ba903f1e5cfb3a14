"""AIAAIC's internal near-duplicates (two rows about one event or system), proposed to a person in a review file."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from kg.link.candidates import blocks
from kg.link.embeddings import Vectors
from kg.link.model import LinkModel, pair_features
from kg.link.records import IncidentRecord
from kg.link.review import read_decisions, write_rows
from kg.link.scoring import Scorer

COLUMNS = ("left", "right", "score", "decision", "left_year", "right_year", "left_title", "right_title",
           "evidence", "note")
# A pair is shown when the first-stage model (the pair alone) gives it at least this probability.
DUPLICATE_SCORE = 0.7


def aiaaic_duplicates(records: dict[URIRef, IncidentRecord], model: LinkModel,
                      vectors: Vectors) -> list[dict[str, str]]:
    """Pairs of AIAAIC rows that look like one record, best first: same text, organisations, years."""
    values = [record for record in records.values() if record.database == "AIAAIC"]
    scorer = Scorer(values, vectors)
    by_key = {record.key: record for record in values}
    rows = []
    for left_key, right_key in sorted(blocks(values, scorer, same_database=True)):
        left, right = by_key[left_key], by_key[right_key]
        evidence = scorer.evidence(left, right)
        probability = model.pair.probability(pair_features(evidence))
        if probability >= DUPLICATE_SCORE:
            rows.append({"left": left.key, "right": right.key, "score": f"{probability:.3f}",
                         "left_year": str(left.year or ""), "right_year": str(right.year or ""),
                         "left_title": left.title, "right_title": right.title, "evidence": evidence.describe()})
    rows.sort(key=lambda row: (-float(row["score"]), row["left"], row["right"]))
    return rows


def write_duplicates(path: Path, records: dict[URIRef, IncidentRecord], model: LinkModel, vectors: Vectors) -> int:
    """(Re)write the duplicates review file, keeping the decisions a person wrote (exact = the same record)."""
    decided = read_decisions(path)
    rows = aiaaic_duplicates(records, model, vectors)
    for row in rows:
        decision = decided.pop((row["left"], row["right"]), None)
        row["decision"], row["note"] = (decision.decision, decision.note) if decision else ("", "")
    for (left, right), decision in sorted(decided.items()):  # decided earlier, no longer proposed: kept
        rows.append({"left": left, "right": right, "score": "" if decision.score is None else f"{decision.score:.3f}",
                     "decision": decision.decision, "note": decision.note, "evidence": decision.evidence})
    return write_rows(path, COLUMNS, rows)
