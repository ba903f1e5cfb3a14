"""Turn a resource's description into what its page shows: labelled links, dates, roles, timeline and claims."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.describe import local_path
from kg.display import LABELS, Ref, best_literal, curie, format_date, format_span, label, sort_key
from kg.namespaces import ID, KG, SCHEMA

DATE_TYPES = {XSD.gYear, XSD.gYearMonth, XSD.date, XSD.dateTime}
INCIDENTS = str(ID) + "incident/"
REFERRERS_SHOWN = 200
"""Most resources listed per property under "what links here" (a publisher of thousands of sources, say)."""
ISSUES = (("Ethical issues", KG.ethicalIssue), ("Transparency issues", KG.transparencyIssue), ("Harms", KG.externalHarm))
STATUS_ORDER = (str(KG.confirmed), str(KG.denied), str(KG.alleged))
"""Statuses, most definite first: an involvement's row shows the first any of its sources states."""


@dataclass(frozen=True)
class Value:
    """One value of a statement: a link, or text (a date at its precision, a literal)."""

    text: str
    ref: Ref | None = None
    lang: str | None = None


@dataclass(frozen=True)
class Fact:
    """A property and its values (or, read backwards, the resources that point here through it)."""

    prop: Ref
    values: list[Value]
    total: int = 0
    """How many values there are in all (more than shown when a hub has too many to list)."""


@dataclass(frozen=True)
class Involvement:
    """One agent's role in an incident or system, however many sources state it: the most definite status any of
    them states (confirmed, then denied, then alleged), the sources with the status each states, the notes."""

    ref: Ref
    target: Ref | None
    agent: Ref | None
    role: Ref | None
    status: Ref | None
    sources: list[Ref]
    note: str | None
    stated: list[tuple[Ref | None, list[Ref]]] = field(default_factory=list)
    """Each status stated and the sources that state it, in the order of :data:`STATUS_ORDER`."""


@dataclass(frozen=True)
class RoleInIncident:
    """An agent's role in one incident (through the incident or one of its systems)."""

    role: Ref | None
    incident: Ref
    system: Ref | None
    status: Ref | None


@dataclass(frozen=True)
class Event:
    """A step of an incident's timeline."""

    ref: Ref
    when: str
    order: str
    kind: Ref | None
    actors: list[Ref]
    text: str | None
    sources: list[Ref]


@dataclass(frozen=True)
class Claim:
    """Who said what about an incident, when, to whom, where; and which claims it contradicts."""

    ref: Ref
    claimant: Ref | None
    when: str
    addressees: list[Ref]
    stance: Ref | None
    text: str
    made_in: list[Ref]
    reported_in: list[Ref]
    contradicts: list[Ref]


@dataclass
class Summary:
    """Everything a resource's page shows, in display order."""

    iri: str
    label: str
    kinds: list[Ref]
    description: str | None
    facts: list[Fact]
    referrers: list[Fact]
    when: str | None = None
    """When it happened, at the best precision stated (the most precise date, else the interval)."""
    systems: list[Ref] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)
    issues: list[tuple[str, list[Ref]]] = field(default_factory=list)
    timeline: list[Event] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    roles: list[RoleInIncident] = field(default_factory=list)
    incidents: list[Ref] = field(default_factory=list)
    involvements_shown: int = 0
    involvements_total: int = 0
    """An agent's involvements the roles were read from, and how many it has (more on a hub's page: kg.describe.PAGE)."""
    linked_by: list[tuple[str, list[tuple[Value, Ref]]]] = field(default_factory=list)
    """What links here, by the kind of the resource that links (its type, else the kind its IRI names)."""
    incident: Any = None
    """An incident's profile (kg.incident_page.IncidentProfile), added by the page job."""
    citation: Any = None
    """An incident's citation (kg.cite.Citation), added by the page job."""


class _Reader:
    """Reads one description graph, labelling nodes and properties."""

    def __init__(self, graph: Graph, property_labels: Mapping[str, str]) -> None:
        self.graph = graph
        self.property_labels = property_labels

    def ref(self, node: Node) -> Ref:
        url = self.graph.value(node, SCHEMA.url) if isinstance(node, URIRef) else None
        return Ref(str(node), label(self.graph, node), local_path(str(node)), str(url) if url is not None else None)

    def prop(self, node: Node) -> Ref:
        text = self.property_labels.get(str(node)) or curie(node)
        return Ref(str(node), text, local_path(str(node)))

    def refs(self, subject: Node, prop: URIRef) -> list[Ref]:
        return sorted((self.ref(o) for o in self.graph.objects(subject, prop)), key=lambda r: r.label.lower())

    def one(self, subject: Node, prop: URIRef) -> Ref | None:
        found = self.refs(subject, prop)
        return found[0] if found else None

    def text(self, subject: Node, prop: URIRef) -> str | None:
        found = best_literal(list(self.graph.objects(subject, prop)))
        return str(found) if found is not None else None

    def value(self, node: Node) -> Value:
        if isinstance(node, Literal):
            text = format_date(node) if node.datatype in DATE_TYPES else str(node)
            return Value(text, lang=node.language)
        return Value(label(self.graph, node), self.ref(node))

    def first(self, subject: Node, *props: URIRef) -> Node | None:
        return next((o for p in props for o in self.graph.objects(subject, p)), None)


def summarise(graph: Graph, iri: URIRef, property_labels: Mapping[str, str]) -> Summary:
    """The page of ``iri`` from its description (:func:`kg.describe.describe`) and the vocabulary's labels."""
    r = _Reader(graph, property_labels)
    shown = {RDF.type, *LABELS}
    facts: dict[Node, list[Value]] = {}
    for p, o in graph.predicate_objects(iri):
        if p not in shown:
            facts.setdefault(p, []).append(r.value(o))
    referrers: dict[Node, list[Value]] = {}
    for s, p in graph.subject_predicates(iri):
        referrers.setdefault(p, []).append(r.value(s))
    summary = Summary(
        str(iri),
        label(graph, iri),
        r.refs(iri, RDF.type),
        r.text(iri, DCTERMS.description) or r.text(iri, RDFS.comment) or r.text(iri, SKOS.definition),
        _facts(r, facts),
        _facts(r, referrers, REFERRERS_SHOWN),
    )
    systems = list(graph.objects(iri, KG.involvesSystem))
    summary.when = _when(graph, iri)
    summary.linked_by = _linked_by(r, iri)
    summary.systems = r.refs(iri, KG.involvesSystem)
    summary.involvements = _involvements(r, [iri, *systems])
    summary.issues = [(title, refs) for title, prop in ISSUES if (refs := r.refs(iri, prop))]
    summary.timeline = sorted((_event(r, e) for e in graph.objects(iri, KG.hasEvent)), key=lambda e: (e.order, e.ref.label))
    claims = {*graph.subjects(KG.claimAbout, iri), *graph.subjects(KG.claimConcerns, iri)}
    summary.claims = sorted((_claim(r, c) for c in claims), key=lambda c: (c.when == "", c.when, c.ref.iri))
    summary.roles = _roles(r, iri)
    summary.incidents = [] if summary.roles else _incidents(r, iri)
    return summary


def _facts(r: _Reader, by_property: dict[Node, list[Value]], shown: int | None = None) -> list[Fact]:
    facts = [
        Fact(r.prop(p), sorted(values, key=lambda v: v.text.lower())[:shown], len(values))
        for p, values in by_property.items()
    ]
    return sorted(facts, key=lambda f: f.prop.label.lower())


def _when(graph: Graph, iri: URIRef) -> str | None:
    """When it happened, once: the most precise stated date, else the interval it happened in."""
    stated = sorted(graph.objects(iri, KG.occurred), key=lambda d: (-len(str(d)), str(d)))
    if stated:
        return format_date(stated[0])
    start, end = graph.value(iri, KG.occurredFrom), graph.value(iri, KG.occurredUntil)
    return format_span(start, end) if start is not None or end is not None else None


def _kind(r: _Reader, node: Node) -> str:
    """What kind of thing ``node`` is, for grouping: its type's label, else the kind its IRI names (``id/claim/…``)."""
    types = sorted(r.ref(t).label for t in r.graph.objects(node, RDF.type))
    if types:
        return types[0]
    if str(node).startswith(str(ID)):
        return str(node)[len(str(ID)):].split("/", 1)[0].replace("-", " ").capitalize()
    return "Other"


def _linked_by(r: _Reader, iri: URIRef) -> list[tuple[str, list[tuple[Value, Ref]]]]:
    """The resources that point at ``iri``, labelled, grouped by their kind, each with the property it points by."""
    groups: dict[str, list[tuple[Value, Ref]]] = {}
    for s, p in r.graph.subject_predicates(iri):
        groups.setdefault(_kind(r, s), []).append((r.value(s), r.prop(p)))
    return [(kind, sorted(items, key=lambda i: (i[0].text.lower(), i[1].label))[:REFERRERS_SHOWN])
            for kind, items in sorted(groups.items())]


def _involvements(r: _Reader, targets: list[Node]) -> list[Involvement]:
    """One row per agent, role and target, however many sources (and so involvement records) state it."""
    grouped: dict[tuple[str, str, str], list[Node]] = {}
    for target in targets:
        for inv in r.graph.subjects(KG.involvedIn, target):
            key = (str(r.graph.value(inv, KG.agent)), str(r.graph.value(inv, KG.role)), str(target))
            grouped.setdefault(key, []).append(inv)
    found = []
    for (_, _, target), records in grouped.items():
        records.sort(key=str)
        by_status: dict[str, tuple[Ref | None, set[Ref]]] = {}
        for inv in records:
            status = r.one(inv, KG.status)
            by_status.setdefault(status.iri if status else "", (status, set()))[1].update(r.refs(inv, KG.source))
        order = sorted(by_status, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else len(STATUS_ORDER))
        stated = [(by_status[s][0], sorted(by_status[s][1], key=lambda x: x.label.lower())) for s in order]
        sources = sorted({src for _, refs in stated for src in refs}, key=lambda x: x.label.lower())
        notes = [n for inv in records if (n := r.text(inv, RDFS.comment))]
        first = records[0]
        found.append(Involvement(
            r.ref(first), r.ref(URIRef(target)), r.one(first, KG.agent), r.one(first, KG.role), stated[0][0] if stated else None,
            sources, " ".join(dict.fromkeys(notes)) or None, stated,
        ))
    return sorted(found, key=lambda i: (i.role.label if i.role else "", i.agent.label if i.agent else "", i.ref.iri))


def _event(r: _Reader, event: Node) -> Event:
    date, start, end = r.first(event, KG.date), r.first(event, KG.startDate), r.first(event, KG.endDate)
    when = format_date(date) if date is not None else format_span(start, end)
    return Event(
        r.ref(event), when, sort_key(date if date is not None else start), r.one(event, KG.eventType),
        r.refs(event, KG.actor), r.text(event, DCTERMS.description), r.refs(event, KG.source),
    )


def _claim(r: _Reader, claim: Node) -> Claim:
    date = r.first(claim, KG.claimDate)
    return Claim(
        r.ref(claim), r.one(claim, KG.claimant), format_date(date) if date is not None else "",
        r.refs(claim, KG.addressee), r.one(claim, KG.stance), r.text(claim, KG.claimText) or "",
        r.refs(claim, KG.madeIn), r.refs(claim, KG.reportedIn), r.refs(claim, KG.contradicts),
    )


def _roles(r: _Reader, agent: URIRef) -> list[RoleInIncident]:
    """The incidents an agent is involved in, by role: directly, or through one of the incident's systems."""
    rows = set()
    for inv in r.graph.subjects(KG.agent, agent):
        role, status = r.one(inv, KG.role), r.one(inv, KG.status)
        for target in r.graph.objects(inv, KG.involvedIn):
            if str(target).startswith(INCIDENTS):
                rows.add(RoleInIncident(role, r.ref(target), None, status))
            for incident in r.graph.subjects(KG.involvesSystem, target):
                rows.add(RoleInIncident(role, r.ref(incident), r.ref(target), status))
    return sorted(rows, key=lambda x: (x.role.label if x.role else "", x.incident.label.lower(), x.incident.iri))


def _incidents(r: _Reader, iri: URIRef) -> list[Ref]:
    """Incidents that point at ``iri``, directly or through their systems."""
    found = set()
    for s, _ in r.graph.subject_predicates(iri):
        if str(s).startswith(INCIDENTS):
            found.add(s)
        found.update(i for i in r.graph.subjects(KG.involvesSystem, s) if i != iri)
    found.discard(iri)
    return sorted((r.ref(i) for i in found), key=lambda x: (x.label.lower(), x.iri))
