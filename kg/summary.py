"""Turn a resource's description into what its page shows: labelled links, dates, roles, timeline and claims."""

from __future__ import annotations

from collections.abc import Mapping
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
    """One agent's role in an incident or system, with its status and sources."""

    ref: Ref
    target: Ref | None
    agent: Ref | None
    role: Ref | None
    status: Ref | None
    sources: list[Ref]
    note: str | None


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
    dates: list[str] = field(default_factory=list)
    systems: list[Ref] = field(default_factory=list)
    involvements: list[Involvement] = field(default_factory=list)
    issues: list[tuple[str, list[Ref]]] = field(default_factory=list)
    timeline: list[Event] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    roles: list[RoleInIncident] = field(default_factory=list)
    incidents: list[Ref] = field(default_factory=list)


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
    summary.dates = _dates(graph, iri)
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


def _dates(graph: Graph, iri: URIRef) -> list[str]:
    """When it happened, each stated date at its precision, the most precise first."""
    stated = sorted(graph.objects(iri, KG.occurred), key=lambda d: (-len(str(d)), str(d)))
    dates = [format_date(d) for d in stated]
    start, end = graph.value(iri, KG.occurredFrom), graph.value(iri, KG.occurredUntil)
    if start is not None or end is not None:
        dates.append(format_span(start, end))
    return list(dict.fromkeys(dates))


def _involvements(r: _Reader, targets: list[Node]) -> list[Involvement]:
    found = []
    for target in targets:
        for inv in r.graph.subjects(KG.involvedIn, target):
            found.append(Involvement(
                r.ref(inv), r.ref(target), r.one(inv, KG.agent), r.one(inv, KG.role), r.one(inv, KG.status),
                r.refs(inv, KG.source), r.text(inv, RDFS.comment),
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
