"""Score Wikidata items as candidates for one of our things: how its name matched, its type, its country.

No link is ever made from a score alone: the best candidate is at most *suggested* to the person who reviews
the file (see :mod:`kg.link.wikidata_review`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Words that say what kind of thing a name names rather than which one: dropped to make a weaker variant
# ("King's Cross estate" -> "King's Cross", "Argent LLP" -> "Argent").
GENERIC = re.compile(
    r"\s+(?:estate|development|site|ltd\.?|limited|llp|plc|inc\.?|corp\.?|corporation|co\.?|company|group|gmbh|"
    r"s\.?a\.?|ag|llc)$",
    re.IGNORECASE,
)
PARENTHESIS = re.compile(r"\s*\([^)]*\)$")

# What the English labels of a candidate's classes (P31, then P279 upwards) must include for each kind of ours.
EXPECTED_CLASSES = {
    "organisation": ("organization", "organisation"),
    "place": ("geographic location", "geographical feature", "human settlement"),
    "jurisdiction": ("country", "sovereign state", "administrative territorial entity"),
}
NAME_SCORES = {("name", "label"): 0.5, ("name", "alias"): 0.45, ("variant", "label"): 0.3, ("variant", "alias"): 0.25}
TYPE_MATCH, TYPE_MISMATCH = 0.3, -0.3
COUNTRY_MATCH, COUNTRY_CONFLICT = 0.2, -0.4
SUGGEST_SCORE = 0.75
SUGGEST_MARGIN = 0.15


@dataclass(frozen=True)
class Entity:
    """One of our organisations, places or jurisdictions: its names and its country's ISO 3166-1 code."""

    iri: str
    kind: str
    label: str
    names: frozenset[str]
    country: str | None

    @property
    def variants(self) -> frozenset[str]:
        """Weaker forms of its names (legal forms, generic words and bracketed parts dropped), not names."""
        return frozenset(variant(name) for name in self.names) - self.names - {""}


@dataclass
class Item:
    """A Wikidata item as the endpoint described it, and which of the names we asked for matched it and how."""

    iri: str
    label: str = ""
    description: str = ""
    matches: set[tuple[str, str]] = field(default_factory=set)  # (name asked, "label" or "alias")
    classes: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)  # its own ISO 3166-1 code (countries)
    countries: set[str] = field(default_factory=set)  # the ISO 3166-1 codes of its country (P17)


@dataclass(frozen=True)
class WikidataCandidate:
    """A scored item for one of our things; ``suggested`` when it is clearly the one (a person still decides)."""

    entity: Entity
    item: Item
    score: float
    evidence: str
    suggested: bool = False


def variant(name: str) -> str:
    """``name`` without a trailing bracketed part or generic word ("Argent LLP" -> "Argent")."""
    shorter = PARENTHESIS.sub("", name).strip()
    return GENERIC.sub("", shorter).strip()


def _name_part(entity: Entity, item: Item) -> tuple[float, str]:
    best, said = 0.0, "no name matched"
    for asked, how in item.matches:
        strength = "name" if asked in entity.names else "variant" if asked in entity.variants else None
        if strength is None:
            continue
        value = NAME_SCORES[(strength, how)]
        if value > best:
            best = value
            said = f'{"our name" if strength == "name" else "shortened name"} "{asked}" is its {how}'
    return best, said


def _type_part(entity: Entity, item: Item) -> tuple[float, str]:
    if not item.classes:
        return 0.0, "type unknown"
    wanted = EXPECTED_CLASSES[entity.kind]
    found = sorted(label for label in item.classes if label.lower() in wanted)
    if found:
        return TYPE_MATCH, f"a kind of {found[0]}"
    shown = ", ".join(sorted(item.classes)[:3])
    return TYPE_MISMATCH, f"not a kind of {wanted[0]} (classes: {shown})"


def _country_part(entity: Entity, item: Item) -> tuple[float, str]:
    theirs = item.codes or item.countries
    if not entity.country or not theirs:
        return 0.0, f"country {'/'.join(sorted(theirs)) or 'unknown'}, ours {entity.country or 'unknown'}"
    if entity.country in theirs:
        return COUNTRY_MATCH, f"country {entity.country} as ours"
    return COUNTRY_CONFLICT, f"country {'/'.join(sorted(theirs))}, ours {entity.country}"


def score(entity: Entity, item: Item) -> tuple[float, str, bool]:
    """The score in [0, 1], the evidence in words, and whether the item could be suggested at all.

    Suggestable means: one of our own names (not a shortened one) matched, its type is the kind we expect,
    and its country does not contradict ours.
    """
    parts = [_name_part(entity, item), _type_part(entity, item), _country_part(entity, item)]
    value = round(max(0.0, min(1.0, sum(part for part, _ in parts))), 3)
    suggestable = parts[0][0] >= NAME_SCORES[("name", "alias")] and parts[1][0] > 0 and parts[2][0] >= 0
    return value, "; ".join(said for _, said in parts), suggestable


def rank(entity: Entity, items: list[Item]) -> list[WikidataCandidate]:
    """The candidates for ``entity``, best first; the best is suggested only when sure and clearly ahead."""
    scored = sorted(((*score(entity, item), item) for item in items), key=lambda s: (-s[0], s[3].iri))
    ranked = []
    for position, (value, evidence, suggestable, item) in enumerate(scored):
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        suggested = (position == 0 and suggestable and value >= SUGGEST_SCORE
                     and value - runner_up >= SUGGEST_MARGIN)
        ranked.append(WikidataCandidate(entity, item, value, evidence, suggested))
    return ranked
