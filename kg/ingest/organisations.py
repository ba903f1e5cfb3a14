"""Organisations, groups and people named by the sources: one node per real party, merged only on evidence.

A name's key is its slug, so ``Google``, ``Google `` and AIID's ``google`` are one organisation. Any other
merge comes from the alias table (``data/organisations/aliases.csv``: alias -> organisation, with the
evidence), never from a loose name match; near misses are listed for review instead (kg.ingest.review).
The kinds table (``data/organisations/kinds.csv``) says which names are people or groups of people.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

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


def read_aliases(path: Path) -> list[Alias]:
    """The alias table, one Alias per row (line numbers counted with the header as line 1)."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Alias(row["organisation"].strip(), row["label"].strip(), row["alias"].strip(), row["evidence"].strip(), n)
            for n, row in enumerate(csv.DictReader(handle), start=2)
        ]


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
        self._alias_of = {slug(a.alias): a for a in self.aliases}
        self._kinds = kinds or {}
        self._labels: dict[URIRef, str] = dict(curated_labels or {})
        for alias in self.aliases:
            self._labels.setdefault(ID[f"org/{alias.key}"], alias.label)
        self._organisations = {str(iri).rsplit("/", 1)[-1] for iri in self._labels if "/id/org/" in str(iri)}
        self.names: dict[URIRef, set[str]] = defaultdict(set)
        """Every name each node was given, for the review of merge candidates."""

    def is_organisation(self, name: str) -> bool:
        """Whether a name (or slug) resolves to an organisation already known (curated, aliased or seen)."""
        key = self._key(name)
        return key is not None and (key in self._organisations or self._kinds.get(key) == ORGANISATION)

    def _key(self, name: str) -> str | None:
        key = slug(" ".join(name.split()))
        if key in PLACEHOLDERS:
            return None
        alias = self._alias_of.get(key)
        return alias.key if alias else key

    def kind_of(self, name: str, default: str) -> str | None:
        """Organisation, group or person: the kinds table, else a known organisation, else the name's form."""
        key = self._key(name)
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
        written = " ".join(name.split())
        key = self._key(written)
        kind = self.kind_of(written, default_kind)
        if key is None or kind is None:
            return None
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
            iri = ID[f"org/{alias.key}"]
            graph.add((iri, RDF.type, KG.Organisation))
            graph.add((iri, RDFS.label, Literal(self._labels[iri])))
            if alias.alias != self._labels[iri]:
                is_slug = alias.alias == slug(alias.alias)
                graph.add((iri, SKOS.hiddenLabel if is_slug else SKOS.altLabel, Literal(alias.alias)))
            where = f"data/organisations/aliases.csv line {alias.line}"
            note = f"{alias.alias!r} is this organisation: {alias.evidence} ({where})"
            graph.add((iri, SKOS.editorialNote, Literal(note, lang="en")))
        return graph
