"""The Wikidata review file: candidates for a person to accept or reject, and the decisions read back.

One row per (our thing, Wikidata item) pair. ``decision`` is ``accept``, ``reject`` or empty; a rerun keeps
every decision, also for pairs the endpoint no longer offers. Only accepted rows ever become links.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataSyntaxError
from kg.link.review import write_rows
from kg.link.wikidata_scoring import WikidataCandidate

COLUMNS = ("iri", "label", "candidate", "candidate_label", "candidate_description", "score", "suggested", "decision",
           "evidence", "note")
DECISIONS = ("", "accept", "reject")
ITEM = re.compile(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*")


@dataclass(frozen=True)
class WikidataDecision:
    """A reviewer's decision on one pair, with what the row said about it."""

    iri: str
    candidate: str
    decision: str
    score: float | None
    evidence: str
    note: str
    row: dict[str, str]


def read_wikidata_decisions(path: Path) -> dict[tuple[str, str], WikidataDecision]:
    """The decided rows of ``path`` (none if it does not exist).

    A decision that is not accept/reject, an accepted candidate that is not a Wikidata item IRI, or two accepted
    items for one of our things are errors naming the file, row and field.
    """
    if not path.is_file():
        return {}
    decided: dict[tuple[str, str], WikidataDecision] = {}
    accepted: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            decision = (row.get("decision") or "").strip().lower()
            if decision not in DECISIONS:
                raise DataSyntaxError(str(path), number, "decision must be empty, accept or reject "
                                      f"(field 'decision', found {row.get('decision')!r})")
            if not decision:
                continue
            iri, candidate = (row.get("iri") or "").strip(), (row.get("candidate") or "").strip()
            if not iri or not ITEM.fullmatch(candidate):
                raise DataSyntaxError(str(path), number, "a decided row needs 'iri' and a 'candidate' of the form "
                                      f"http://www.wikidata.org/entity/Q<number> (found {candidate!r})")
            if decision == "accept":
                if iri in accepted:
                    raise DataSyntaxError(str(path), number, f"a second accepted Wikidata item for {iri} "
                                          f"(the first is on row {accepted[iri]}): accept at most one")
                accepted[iri] = number
            score = (row.get("score") or "").strip()
            decided[(iri, candidate)] = WikidataDecision(
                iri, candidate, decision, float(score) if score else None, row.get("evidence") or "",
                row.get("note") or "", {k: row.get(k) or "" for k in COLUMNS})
    return decided


def wikidata_review_rows(candidates: list[WikidataCandidate],
                         decided: dict[tuple[str, str], WikidataDecision]) -> list[dict[str, str]]:
    """One row per candidate (grouped by our thing, best first), then earlier decisions no longer offered."""
    rows = []
    for c in sorted(candidates, key=lambda c: (c.entity.iri, -c.score, c.item.iri)):
        decision = decided.get((c.entity.iri, c.item.iri))
        rows.append({
            "iri": c.entity.iri, "label": c.entity.label, "candidate": c.item.iri,
            "candidate_label": c.item.label, "candidate_description": c.item.description,
            "score": f"{c.score:.3f}", "suggested": "yes" if c.suggested else "", "evidence": c.evidence,
            "decision": decision.decision if decision else "", "note": decision.note if decision else "",
        })
    shown = {(row["iri"], row["candidate"]) for row in rows}
    rows.extend(d.row | {"decision": d.decision} for key, d in sorted(decided.items()) if key not in shown)
    return rows


def write_wikidata_review(path: Path, candidates: list[WikidataCandidate],
                          decided: dict[tuple[str, str], WikidataDecision]) -> int:
    """(Re)write the review file keeping the decisions; returns the number of rows."""
    return write_rows(path, COLUMNS, wikidata_review_rows(candidates, decided))
