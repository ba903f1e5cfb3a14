"""Concepts minted from source labels: one concept per label in a scheme, label drift as skos:altLabel.

A concept's IRI is ``id/concept/<scheme-slug>/<slug of its preferred label>``. The preferred label is the
one the curated data gives, else the one the label-drift table names, else the first label seen; any
other label for the same concept becomes a skos:altLabel, so every concept keeps one prefLabel.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from kg.ingest.report import DRIFT_CURATED, DRIFT_GUESSED, SPLIT_JURISDICTION, ImportReport
from kg.ingest.slugs import slug
from kg.ingest.triples import TripleSet
from kg.namespaces import ID, KG

LANG = "en"


@dataclass(frozen=True)
class Scheme:
    """A concept scheme of the ontology and the slug its concepts' IRIs use (``id/concept/<key>/...``)."""

    key: str
    iri: URIRef

    def concept(self, label: str) -> URIRef:
        """The IRI of the concept with this preferred label."""
        return ID[f"concept/{self.key}/{slug(label)}"]


ETHICAL_ISSUES = Scheme("ethical-issue", KG.ethicalIssues)
TRANSPARENCY_ISSUES = Scheme("transparency-issue", KG.transparencyIssues)
INDIVIDUAL_HARMS = Scheme("individual-harm", KG.individualHarms)
SOCIETAL_HARMS = Scheme("societal-harm", KG.societalHarms)
ENVIRONMENTAL_HARMS = Scheme("environmental-harm", KG.environmentalHarms)
SECTORS = Scheme("sector", KG.sectors)
TECHNOLOGIES = Scheme("technology", KG.technologies)
PURPOSES = Scheme("purpose", KG.purposes)
JURISDICTIONS = Scheme("jurisdiction", KG.jurisdictions)
NEWS_TRIGGERS = Scheme("news-trigger", KG.newsTriggers)
CONSEQUENCES = Scheme("consequence", KG.consequences)
RESPONSES = Scheme("response", KG.responses)
ENTRY_TYPES = Scheme("entry-type", KG.entryTypes)


@dataclass(frozen=True)
class Jurisdiction:
    """A row of the jurisdictions table: ISO 3166 code (empty if none), name, other labels, parent code."""

    code: str
    name: str
    labels: tuple[str, ...]
    within: str

    @property
    def iri(self) -> URIRef:
        return JURISDICTIONS.concept(self.code if self.code else self.name)


def read_drift(path: Path) -> dict[tuple[str, str], str]:
    """The label-drift table: (scheme slug, label as a source writes it) -> preferred label."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {(row["scheme"], row["label"]): row["preferred_label"] for row in csv.DictReader(handle)}


def read_jurisdictions(path: Path) -> list[Jurisdiction]:
    """The jurisdictions table: ISO 3166 countries and subdivisions, and the labels sources use for them."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            Jurisdiction(
                row["code"].strip(),
                row["name"].strip(),
                tuple(label.strip() for label in row["labels"].split(";") if label.strip()),
                row["within"].strip(),
            )
            for row in csv.DictReader(handle)
        ]


class Concepts:
    """Mints concepts into importers' graphs, keeping one preferred label per concept across all sources."""

    def __init__(
        self,
        drift: dict[tuple[str, str], str] | None = None,
        jurisdictions: list[Jurisdiction] | None = None,
        preferred: dict[URIRef, str] | None = None,
    ) -> None:
        self._drift = drift or {}
        self._preferred: dict[URIRef, str] = dict(preferred or {})
        self._warned: set[tuple[URIRef, str]] = set()
        self._by_label: dict[str, Jurisdiction] = {}
        self._by_code: dict[str, Jurisdiction] = {}
        for entry in jurisdictions or []:
            if entry.code:
                self._by_code[entry.code.upper()] = entry
            for label in (entry.name, entry.code, *entry.labels):
                if label:
                    self._by_label.setdefault(label.casefold(), entry)

    def use(
        self,
        graph: TripleSet,
        scheme: Scheme,
        label: str,
        report: ImportReport | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> URIRef:
        """The concept a source label names in ``scheme``, described in ``graph``."""
        written = " ".join(label.split())
        preferred = self._drift.get((scheme.key, written), written)
        iri = scheme.concept(preferred)
        kept = self._preferred.setdefault(iri, preferred)
        if report is not None and preferred != written:
            report.repair(DRIFT_CURATED, row)
        if report is not None and kept != preferred:
            report.repair(DRIFT_GUESSED, row)
        if kept != preferred and report is not None and (iri, preferred) not in self._warned:
            self._warned.add((iri, preferred))
            report.warn(
                row,
                field,
                f"label drift: {preferred!r} is taken as another label of {kept!r} ({iri}); "
                "list it in data/concepts/label-drift.csv to confirm",
            )
        self.describe(graph, scheme, iri, kept)
        for other in {written, preferred} - {kept}:
            graph.add((iri, SKOS.altLabel, Literal(other, lang=LANG)))
        return iri

    def describe(self, graph: TripleSet, scheme: Scheme, iri: URIRef, label: str) -> None:
        """State a concept's type, scheme and preferred label."""
        graph.add((iri, RDF.type, SKOS.Concept))
        graph.add((iri, SKOS.inScheme, scheme.iri))
        graph.add((iri, SKOS.prefLabel, Literal(self._preferred.setdefault(iri, label), lang=LANG)))

    def jurisdictions(
        self,
        graph: TripleSet,
        cell_value: str,
        report: ImportReport,
        row: int | None,
        field: str | None,
        record: str | None = None,
    ) -> list[URIRef]:
        """The jurisdiction concepts a label names: ISO 3166 coded where the table knows it, else a slug.

        A label the table does not know but whose comma-separated parts it does is read as several (a repair,
        counted in the report for the row ``record``).
        """
        entry = self._by_label.get(cell_value.casefold())
        if entry is not None:
            return [self._jurisdiction(graph, entry, cell_value)]
        parts = [part.strip() for part in cell_value.split(",") if part.strip()]
        if len(parts) > 1 and all(part.casefold() in self._by_label for part in parts):
            report.repair(SPLIT_JURISDICTION, row, record)
            return [self._jurisdiction(graph, self._by_label[part.casefold()], part) for part in parts]
        report.warn(
            row,
            field,
            f"jurisdiction {cell_value!r} is not in data/concepts/jurisdictions.csv: minted without an ISO 3166 code",
        )
        return [self.use(graph, JURISDICTIONS, cell_value)]

    def jurisdiction_by_code(self, graph: TripleSet, code: str) -> URIRef | None:
        """The jurisdiction concept of an ISO 3166 code, or None if the table does not know the code."""
        entry = self._by_code.get(code.strip().upper())
        return None if entry is None else self._jurisdiction(graph, entry, entry.name)

    def _jurisdiction(self, graph: TripleSet, entry: Jurisdiction, written: str) -> URIRef:
        iri = entry.iri
        self.describe(graph, JURISDICTIONS, iri, entry.name)
        if entry.code:
            graph.add((iri, SKOS.notation, Literal(entry.code)))
        if written != entry.name and written.upper() != entry.code:
            graph.add((iri, SKOS.altLabel, Literal(written, lang=LANG)))
        parent = entry.within or (entry.code.split("-")[0] if "-" in entry.code else "")
        if parent and parent.upper() in self._by_code:
            parent_entry = self._by_code[parent.upper()]
            graph.add((iri, SKOS.broader, self._jurisdiction(graph, parent_entry, parent_entry.name)))
        return iri
