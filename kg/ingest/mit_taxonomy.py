"""The MIT AI Risk Repository's taxonomies as SKOS: the domain taxonomy and the causal taxonomy.

Concepts are found by number (``7.3``), not by label, because the labels differ between the domain
taxonomy sheet, the risk database and the AI Incident Database's MIT classification; the other
labels are kept as skos:altLabel.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from kg.errors import DataSyntaxError
from kg.ingest.columns import Row, rows
from kg.ingest.concepts import LANG, Concepts, Scheme
from kg.ingest.provenance import SourceDataset, cells
from kg.ingest.report import ImportReport, ImportResult
from kg.ingest.triples import TripleSet
from kg.namespaces import KG

DOMAINS = Scheme("mit-risk-domain", KG.mitRiskDomains)
ENTITIES = Scheme("mit-risk-entity", KG.mitRiskEntities)
INTENTS = Scheme("mit-risk-intent", KG.mitRiskIntents)
TIMINGS = Scheme("mit-risk-timing", KG.mitRiskTimings)
_NUMBERED = re.compile(r"^(\d+(?:\.\d+)?)\.?\s*(?:>\s*)?(.*)$")
_CAUSAL = re.compile(r"^(\d+)\s*-\s*(.+)$")


@dataclass(frozen=True)
class Category:
    """A domain (``7``) or sub-domain (``7.3``) of the domain taxonomy."""

    number: str
    label: str
    description: str
    parent: str | None


def number_key(number: str) -> str:
    """``7.0`` and ``7`` are the domain; ``7.3`` a sub-domain.

    >>> number_key("7.0"), number_key("7.3"), number_key("4")
    ('7', '7.3', '4')
    """
    major, _, minor = number.partition(".")
    return major if minor in ("", "0") else f"{major}.{minor}"


def read_domain_taxonomy(path: Path) -> dict[str, Category]:
    """Number -> category, from ``domain_taxonomy_v3.csv`` (domain_id, domain, subdomain_id, subdomain, description)."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            table = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise DataSyntaxError(path, None, f"cannot read: {error}") from error
    found: dict[str, Category] = {}
    for row in table:
        domain = number_key(row["domain_id"].strip())
        found.setdefault(domain, Category(domain, row["domain"].strip(), "", None))
        found[number_key(row["subdomain_id"].strip())] = Category(
            number_key(row["subdomain_id"].strip()), row["subdomain"].strip(), row["description"].strip(), domain
        )
    return found


def split_numbered(text: str) -> tuple[str, str] | None:
    """``"7.3. Lack of capability"`` or ``"7.3 > Lack of capability"`` -> ("7.3", "Lack of capability").

    >>> split_numbered("4. Malicious Actors & Misuse")
    ('4', 'Malicious Actors & Misuse')
    """
    match = _NUMBERED.match(text.strip())
    return (number_key(match.group(1)), match.group(2).strip()) if match else None


class DomainConcepts:
    """Writes domain-taxonomy concepts into graphs, each with its notation, definition and broader domain."""

    def __init__(self, taxonomy: dict[str, Category], concepts: Concepts) -> None:
        self.taxonomy, self.concepts = taxonomy, concepts

    def concept(self, graph: TripleSet, number: str, written: str | None = None) -> URIRef | None:
        """The concept numbered ``number`` (None if the taxonomy has no such number)."""
        category = self.taxonomy.get(number)
        if category is None:
            return None
        iri = DOMAINS.concept(category.label)
        self.concepts.describe(graph, DOMAINS, iri, category.label)
        graph.add((iri, SKOS.notation, Literal(category.number)))
        if category.description:
            graph.add((iri, SKOS.definition, Literal(category.description, lang=LANG)))
        if category.parent:
            graph.add((iri, SKOS.broader, self.concept(graph, category.parent)))
        else:
            graph.add((iri, SKOS.topConceptOf, DOMAINS.iri))
        if written and written != category.label:
            graph.add((iri, SKOS.altLabel, Literal(written, lang=LANG)))
        return iri

    def causal(self, graph: TripleSet, scheme_name: str, text: str) -> URIRef | None:
        """A causal-taxonomy concept from ``"2 - AI"`` (the risk database) or ``"AI"`` (AIID); None if not coded."""
        scheme = {"entity": ENTITIES, "intent": INTENTS, "timing": TIMINGS}[scheme_name]
        match = _CAUSAL.match(text.strip())
        label = match.group(2).strip() if match else text.strip()
        if not label or label.casefold() == "not coded":
            return None
        iri = self.concepts.use(graph, scheme, label)
        if match:
            graph.add((iri, SKOS.notation, Literal(match.group(1))))
        return iri


    def classify(
        self, graph: TripleSet, node: URIRef, row: Row, report: ImportReport, domain_columns: tuple[str, ...],
        no_value: Callable[[str], bool],
    ) -> None:
        """Classify ``node`` by a row's domain columns and its entity, intent and timing columns.

        ``no_value`` says which cells hold no classification (empty, ``--``, the "excluded" domain).
        """
        for column in domain_columns:
            numbered = None if no_value(row.get(column)) else split_numbered(row.get(column))
            if numbered is None:
                continue
            concept = self.concept(graph, *numbered)
            if concept is None:
                report.warn(row.line, column, f"no domain numbered {numbered[0]} in the MIT domain taxonomy")
            else:
                graph.add((node, KG.classification, concept))
        for column in ("Entity", "Intent", "Timing"):
            if not no_value(row.get(column)):
                concept = self.causal(graph, column.lower(), row.get(column))
                if concept is not None:
                    graph.add((node, KG.classification, concept))


def import_domain_taxonomy(path: Path, dataset: SourceDataset, domains: DomainConcepts) -> ImportResult:
    """Every row of the domain taxonomy as a sub-domain concept under its domain."""
    report = ImportReport(dataset.key, str(path), str(dataset.graph))
    graph = dataset.new_graph()
    for row in rows(path, report, ("domain_id", "domain", "subdomain_id", "subdomain", "description"), "subdomain_id"):
        number = number_key(row.get("subdomain_id")) if row.get("subdomain_id") else ""
        if not number or domains.concept(graph, number) is None:
            report.reject(row.line, "subdomain_id", f"not a sub-domain number: {row.get('subdomain_id')!r}")
            continue
        record = dataset.record(graph, f"subdomain-{number}", f"sub-domain {number}", line=row.line)
        report.cells += cells(graph, record, [(column, row.cells[column]) for column in ("domain", "subdomain")])
        report.imported += 1
    return ImportResult(graph, report)
