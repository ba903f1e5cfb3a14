"""Organisations that may be one and the same but are not merged: candidates for a person to review.

Nothing here merges anything. A pair is listed when two organisation keys differ only by a company-form
suffix (``meta`` / ``meta-platforms``), by hyphens (``open-ai`` / ``openai``), by an abbreviation in
parentheses, or when one name joins several with ``/`` (``Uber/Uber Eats``); and near-collisions: two
spellings with one slug that were kept apart (``Mps`` / ``MPS``), or a name that is another's initialism
(``Mps`` / ``Metropolitan Police Service``). A person confirms a pair by
adding a row to ``data/organisations/aliases.csv``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import URIRef

from kg.ingest.slugs import slug

COMPANY_FORMS = {
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "corp",
    "corporation",
    "co",
    "company",
    "plc",
    "group",
    "gmbh",
    "ag",
    "sa",
    "sas",
    "bv",
    "nv",
    "holdings",
    "holding",
    "platforms",
    "technologies",
    "technology",
    "com",
    "pty",
    "pvt",
    "srl",
    "spa",
    "ab",
    "as",
    "oy",
    "kk",
}
_PARENTHESES = re.compile(r"\s*\([^)]*\)\s*")
ORG_PREFIX = "https://w3id.org/ai-incidents/id/org/"


@dataclass(frozen=True, order=True)
class Candidate:
    """Two organisations that might be one, and why they were paired."""

    key_a: str
    key_b: str
    reason: str
    names_a: str
    names_b: str


def base_name(key: str) -> str:
    """A key without trailing company-form words.

    >>> base_name("meta-platforms-inc")
    'meta'
    """
    words = key.split("-")
    while len(words) > 1 and words[-1] in COMPANY_FORMS:
        words.pop()
    return "-".join(words)


def initialism(name: str) -> str:
    """The first letters of a name's words (three words or more), lower case; empty for shorter names.

    >>> initialism("Metropolitan Police Service"), initialism("Open AI")
    ('mps', '')
    """
    words = [w for w in re.split(r"[^0-9A-Za-z]+", name) if w]
    return "".join(w[0] for w in words).lower() if len(words) >= 3 else ""


def candidates(
    names: Mapping[URIRef, set[str]], near_collisions: Mapping[tuple[str, str], str] | None = None
) -> list[Candidate]:
    """Pairs of organisations (by key) that might be the same, with the names each was given.

    ``near_collisions`` are the pairs kg.ingest.organisations.Agents found while resolving names (different
    spellings with one slug), with why.
    """
    keys = {
        str(iri).removeprefix(ORG_PREFIX): sorted(found)
        for iri, found in names.items()
        if str(iri).startswith(ORG_PREFIX)
    }
    pairs: dict[tuple[str, str], str] = {}

    def pair(a: str, b: str, reason: str) -> None:
        if a != b and a in keys and b in keys:
            pairs.setdefault((min(a, b), max(a, b)), reason)

    for field, reason in (
        (base_name, "same name apart from a company-form word"),
        (lambda k: k.replace("-", ""), "same name apart from hyphens or spaces"),
    ):
        groups: dict[str, list[str]] = defaultdict(list)
        for key in keys:
            groups[field(key)].append(key)
        for group in groups.values():
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    pair(a, b, reason)
    for (a, b), reason in (near_collisions or {}).items():
        pair(a, b, reason)
    for key, found in keys.items():
        for name in found:
            short = initialism(name)
            if short and short != key:
                pair(key, short, f"{short!r} is the initialism of {name!r}")
            if "(" in name:
                pair(key, slug(_PARENTHESES.sub(" ", name)), f"{name!r} without its parenthesis")
            if "/" in name:
                for part in name.split("/"):
                    pair(key, slug(part), f"{name!r} joins several names")
    return sorted(Candidate(a, b, reason, "; ".join(keys[a]), "; ".join(keys[b])) for (a, b), reason in pairs.items())


def to_csv(found: list[Candidate]) -> str:
    """The candidates as CSV text, the form kept in ``data/review/organisation-candidates.csv``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["organisation_a", "organisation_b", "reason", "names_a", "names_b"])
    for c in found:
        writer.writerow([c.key_a, c.key_b, c.reason, c.names_a, c.names_b])
    return out.getvalue()
