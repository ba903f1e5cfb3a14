"""The review file of incident candidates: write it for a person to decide, read back the decisions they made."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataSyntaxError
from kg.link.candidates import Candidate

COLUMNS = ("left", "right", "score", "proposed", "decision", "left_year", "right_year", "left_title", "right_title",
           "evidence", "note")
DECISIONS = ("", "exact", "close", "related", "different")


@dataclass(frozen=True)
class Decision:
    """What a reviewer decided about a pair, and why."""

    left: str
    right: str
    decision: str
    note: str
    score: float | None
    evidence: str


def read_decisions(path: Path) -> dict[tuple[str, str], Decision]:
    """The decided rows of a review file (an absent file has none); a bad decision is an error naming its row."""
    if not path.is_file():
        return {}
    decisions = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row_number, row in enumerate(csv.DictReader(handle), start=2):
            decision = (row.get("decision") or "").strip()
            if decision not in DECISIONS:
                allowed = ", ".join(DECISIONS[1:])
                raise DataSyntaxError(str(path), row_number, f"decision must be empty or one of {allowed}")
            if decision:
                score = row.get("score") or None
                decisions[(row["left"], row["right"])] = Decision(
                    row["left"], row["right"], decision, row.get("note") or "", float(score) if score else None,
                    row.get("evidence") or "")
    return decisions


def proposal(c: Candidate) -> str:
    """What the linker suggests: exactMatch (made automatically), relatedMatch for a pair below the threshold
    that shares a deployer (perhaps the same deployment and another event: a person decides), or nothing."""
    if c.predicate is not None:
        return "exactMatch"
    return "relatedMatch?" if c.evidence.deployers else ""


def review_rows(candidates: list[Candidate], decided: dict[tuple[str, str], Decision]) -> list[dict[str, str]]:
    """One row per candidate a person should look at (not proposed as exactMatch, or already decided), best first."""
    rows = []
    for c in candidates:
        key = (c.left.key, c.right.key)
        if c.predicate is not None and key not in decided:
            continue
        decision = decided.get(key)
        rows.append({
            "left": c.left.key, "right": c.right.key, "score": f"{c.score:.3f}",
            "proposed": proposal(c),
            "decision": decision.decision if decision else "", "note": decision.note if decision else "",
            "left_year": str(c.left.year or ""), "right_year": str(c.right.year or ""),
            "left_title": c.left.title, "right_title": c.right.title, "evidence": c.evidence.describe(),
        })
    shown = {(row["left"], row["right"]) for row in rows}
    for key, decision in sorted(decided.items()):
        if key not in shown:  # decided earlier, no longer a candidate: keep the decision
            score = "" if decision.score is None else f"{decision.score:.3f}"
            rows.append({"left": key[0], "right": key[1], "score": score, "decision": decision.decision,
                         "note": decision.note, "evidence": decision.evidence})
    return rows


def write_review(path: Path, candidates: list[Candidate], decided: dict[tuple[str, str], Decision]) -> int:
    """Write the review file, keeping earlier decisions; returns the number of rows written."""
    return write_rows(path, COLUMNS, review_rows(candidates, decided))


def write_rows(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> int:
    """Write a review file (a header, then ``rows``); returns the number of rows written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
