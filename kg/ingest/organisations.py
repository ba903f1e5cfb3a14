"""Organisations, groups and people named by the sources: one node per real party, merged only on evidence.

Names merge only when they are the same text (white space collapsed: ``Google`` and ``Google `` are one), when
the alias table (``data/organisations/aliases.csv``) says so, matching its alias exactly as written (or in any case,
where its ``match`` column says ``casefold``), or when an AIID entity slug is the slug of the name (AIID mints its
entity IDs so: ``google`` is the entity named ``Google``). Two different spellings with one slug (``Mps`` and the
Met's alias ``MPS``) are never merged by it: the later one gets the slug plus a hash of its text and the pair is
listed for review (kg.ingest.review), like other near misses. The kinds table (``data/organisations/kinds.csv``)
says which names are people or groups of people.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from kg.errors import DataSyntaxError
from kg.ingest.slugs import label_from_slug, slug
from kg.ingest.triples import TripleSet
from kg.namespaces import ID, KG

ORGANISATION, GROUP, PERSON = "organisation", "group", "person"
KINDS = {ORGANISATION: (KG.Organisation, "org"), GROUP: (KG.Group, "group"), PERSON: (KG.Person, "person")}
PLACEHOLDERS = {"unknown", "unknowns", "none", "n-a", "na", "not-known", "unclear"}
COLLECTIVE_PREFIXES = ("unknown-", "unnamed-", "unidentified-", "anonymous-", "various-", "multiple-", "some-")
COLLECTIVE_NOUNS = frozenset(
    """
    developers users actors operators creators scammers researchers accounts students supporters hackers influencers
    deployers figures organizations organisations boys girls groups operatives reviewers authors firms
    cybercriminals criminals fraudsters people individuals employees workers drivers parents teachers activists
    artists journalists officials members owners sellers vendors companies agencies schools colleges universities
    hospitals courts offices governments departments perpetrators bots trolls impersonators residents citizens
    customers patients victims children minors women men candidates politicians lawyers
    """.split()
)
_SLUG_LIKE = re.compile(r"^[a-z0-9][a-z0-9._'()\"&-]*$")


@dataclass(frozen=True)
class Alias:
    """A row of the alias table: ``alias`` (a name or an AIID slug) is the organisation ``key``."""

    key: str
    label: str
    alias: str
    evidence: str
    line: int
    casefold: bool = False


def read_aliases(path: Path) -> list[Alias]:
    """The alias table, one Alias per row (line numbers counted with the header as line 1)."""
    if not path.is_file():
        return []
    found = []
    with path.open(encoding="utf-8", newline="") as handle:
        for n, row in enumerate(csv.DictReader(handle), start=2):
            match = (row.get("match") or "exact").strip()
            if match not in ("exact", "casefold"):
                raise DataSyntaxError(path, n, f"[match] must be 'exact' or 'casefold', not {match!r}")
            alias = written_form(row["alias"])
            found.append(Alias(row["organisation"].strip(), row["label"].strip(), alias, row["evidence"].strip(), n,
                               match == "casefold"))
    return found


def written_form(name: str) -> str:
    """A name as a cell wrote it, runs of white space collapsed to one space (the only change names get)."""
    return " ".join(name.split())


def read_kinds(path: Path) -> dict[str, str]:
    """The kinds table: slug -> organisation, group or person."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {slug(row["name"]): row["kind"].strip() for row in csv.DictReader(handle)}


def is_collective(key: str) -> bool:
    """Whether a slug names a class of parties ("scammers", "unknown-deepfake-creators") rather than one.

    >>> is_collective("deepfake-technology-developers"), is_collective("metropolitan-police-service")
    (True, False)
    """
    return key.startswith(COLLECTIVE_PREFIXES) or key.rsplit("-", 1)[-1] in COLLECTIVE_NOUNS


class Agents:
    """Resolves the names in source cells to agent nodes and writes them into importers' graphs."""

    def __init__(
        self,
        aliases: list[Alias] | None = None,
        kinds: dict[str, str] | None = None,
        curated_labels: dict[URIRef, str] | None = None,
    ) -> None:
        self.aliases = aliases or []
        self._exact = {a.alias: a for a in self.aliases}
        self._folded = {a.alias.casefold(): a for a in self.aliases if a.casefold}
        self._kinds = kinds or {}
        self._labels: dict[URIRef, str] = dict(curated_labels or {})
        for alias in self.aliases:
            self._labels.setdefault(ID[f"org/{alias.key}"], alias.label)
        self._organisations = {str(iri).rsplit("/", 1)[-1] for iri in self._labels if "/id/org/" in str(iri)}
        self._owner: dict[str, str] = {}
        """Slug -> the one spelling whose node has that slug as its key (labels of curated and aliased nodes first)."""
        for iri, label in self._labels.items():
            self._owner.setdefault(str(iri).rsplit("/", 1)[-1], label)
        self.names: dict[URIRef, set[str]] = defaultdict(set)
        """Every name each node was given, for the review of merge candidates."""
        self._alias_slugs = {slug(a.alias): a for a in self.aliases if not a.casefold}
        self.near_collisions: dict[tuple[str, str], str] = {}
        """(key, other key) -> why: different spellings with one slug, kept apart, for a person to review."""
        self.matched: Counter[str] = Counter()
        """How names were resolved, for the build report: by alias row, case-folded alias, AIID slug, kept apart."""

    def is_organisation(self, name: str, from_slug: bool = False) -> bool:
        """Whether a name (or slug) resolves to an organisation already known (curated, aliased or seen)."""
        key = self._key(name, from_slug)
        return key is not None and (key in self._organisations or self._kinds.get(key) == ORGANISATION)

    def _key(self, name: str, from_slug: bool = False) -> str | None:
        """The key (last IRI segment) of the node a name stands for; None for placeholders such as ``unknown``."""
        written = written_form(name)
        base = slug(written)
        if base in PLACEHOLDERS:
            return None
        alias = self._exact.get(written) or self._folded.get(written.casefold())
        if alias is not None:
            return alias.key
        if from_slug and _SLUG_LIKE.match(written):
            key = base
        elif self._owner.setdefault(base, written) == written:
            key = base
        else:
            key = f"{base}-x{hashlib.sha1(written.encode('utf-8')).hexdigest()[:8]}"
            self.near_collisions.setdefault(
                (key, base), f"{written!r} has the slug of {self._owner[base]!r}: different spellings kept apart"
            )
        similar = self._alias_slugs.get(base)
        if similar is not None and similar.key != key:
            self.near_collisions.setdefault(
                (key, similar.key), f"{written!r} has the slug of the alias {similar.alias!r}, which matches only itself"
            )
        return key

    def _count(self, name: str, from_slug: bool, key: str) -> None:
        written = written_form(name)
        if written in self._exact:
            self.matched["alias row (exact)"] += 1
        elif written.casefold() in self._folded:
            self.matched["alias row (case-folded)"] += 1
        elif any(pair[0] == key and "kept apart" in why for pair, why in self.near_collisions.items()):
            self.matched["same slug as another spelling: kept apart"] += 1
        elif from_slug and _SLUG_LIKE.match(written) and self._owner.get(key, written) != written:
            self.matched["AIID slug matched to the name it is the slug of"] += 1

    def kind_of(self, name: str, default: str, from_slug: bool = False) -> str | None:
        """Organisation, group or person: the kinds table, else a known organisation, else the name's form."""
        key = self._key(name, from_slug)
        if key is None:
            return None
        if key in self._kinds:
            return self._kinds[key]
        if key in self._organisations:
            return ORGANISATION
        if is_collective(key):
            return GROUP
        return default

    def agent(
        self, graph: TripleSet, name: str, default_kind: str = ORGANISATION, from_slug: bool = False
    ) -> URIRef | None:
        """The node of the party ``name`` names (None for placeholders such as ``unknown``), described in ``graph``.

        ``from_slug`` says the source gives slugs (AIID): the node is labelled from the slug unless a better
        label is known, and the slug is kept as a skos:hiddenLabel.
        """
        written = written_form(name)
        key = self._key(written, from_slug)
        kind = self.kind_of(written, default_kind, from_slug)
        if key is None or kind is None:
            return None
        self._count(written, from_slug, key)
        node_class, folder = KINDS[kind]
        iri = ID[f"{folder}/{key}"]
        if kind == ORGANISATION:
            self._organisations.add(key)
        label = self._labels.setdefault(iri, label_from_slug(written) if from_slug else written)
        graph.add((iri, RDF.type, node_class))
        graph.add((iri, RDFS.label, Literal(label)))
        if from_slug and _SLUG_LIKE.match(written):
            graph.add((iri, SKOS.hiddenLabel, Literal(written)))
        elif written != label:
            graph.add((iri, SKOS.altLabel, Literal(written)))
        self.names[iri].add(written)
        return iri

    def label(self, iri: URIRef) -> str | None:
        """The one label chosen for a node."""
        return self._labels.get(iri)

    def alias_graph(self, graph: TripleSet) -> TripleSet:
        """Describe every organisation of the alias table in ``graph``: its label, aliases and merge evidence."""
        for alias in self.aliases:
            node_class, folder = KINDS[self._kinds.get(alias.key, ORGANISATION)]
            iri = ID[f"{folder}/{alias.key}"]
            self._labels.setdefault(iri, alias.label)
            graph.add((iri, RDF.type, node_class))
            graph.add((iri, RDFS.label, Literal(self._labels[iri])))
            if alias.alias != self._labels[iri]:
                is_slug = alias.alias == slug(alias.alias)
                graph.add((iri, SKOS.hiddenLabel if is_slug else SKOS.altLabel, Literal(alias.alias)))
            where = f"data/organisations/aliases.csv line {alias.line}"
            note = f"{alias.alias!r} is this organisation: {alias.evidence} ({where})"
            graph.add((iri, SKOS.editorialNote, Literal(note, lang="en")))
        return graph
