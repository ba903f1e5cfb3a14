"""Which field of a submission a shape violation is about, from the property it names."""

from __future__ import annotations

from rdflib.namespace import DCTERMS, RDFS

from kg.namespaces import KG, SCHEMA

FIELDS = {
    str(DCTERMS.title): "title", str(DCTERMS.description): "description", str(KG.occurred): "when",
    str(KG.occurredFrom): "when", str(KG.occurredUntil): "when", str(KG.technology): "technologies",
    str(KG.ethicalIssue): "ethical_issues", str(KG.externalHarm): "harms", str(KG.sector): "sectors",
    str(KG.jurisdiction): "countries", str(SCHEMA.url): "sources", str(SCHEMA.datePublished): "sources",
    str(KG.claimAbout): "target", str(KG.claimConcerns): "target", str(KG.claimText): "problem", str(RDFS.label): "system",
}


def field_of(path: str | None) -> str:
    """The form field of a violation's ``sh:path`` (``(submission)`` when it names none we show).

    >>> field_of("https://w3id.org/ai-incidents/def/technology"), field_of(None)
    ('technologies', '(submission)')
    """
    return FIELDS.get(path or "", "(submission)")
