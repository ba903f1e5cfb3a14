"""An accepted submission as data: one named graph per submission, saying who submitted it, when, who accepted it,
and on which sources it rests.

A new incident becomes ``id/incident/KG-<n>`` with its system, involvements (deployers, developers: status
``alleged``, sourced) and classifications. A correction becomes a ``kg:Claim`` (stance ``correction``) about the
page's incident (``kg:claimAbout``), or concerning the page's organisation or concept (``kg:claimConcerns``), so the
source's statement and the correction both stay, as the Met's denial and its later admission do. The submitter is a ``kg:Person`` named as they chose, else by a pseudonym.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.errors import KgError
from kg.ingest.slugs import slug
from kg.namespaces import GRAPH, ID, KG, SCHEMA
from kg.submissions.database import Stored
from kg.submissions.model import FieldProblem, InvalidSubmission, SourceRef, Submission

CONCEPTS = str(ID) + "concept/"
INCIDENTS = str(ID) + "incident/"
ORGANISATIONS = str(ID) + "org/"
STANCE_CORRECTION = ID["concept/stance/correction"]
ISO_CODE = re.compile(r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$")
"""An ISO 3166 country (``GB``) or subdivision (``GB-ENG``) code, as jurisdiction concepts are keyed."""


class UnsupportedTarget(KgError):
    """A correction to a page that is not an incident's, organisation's or concept's (stored and reviewable, but not
    turned into data)."""


def graph_iri(number: int) -> URIRef:
    return GRAPH[f"submissions/{number}"]


def incident_iri(number: int) -> URIRef:
    """The IRI a submitted incident gets: ``KG-`` and the submission's number, four digits at least."""
    return ID[f"incident/KG-{number:04d}"]


def shown_at(stored: Stored) -> str:
    """Where an accepted submission shows as data: its incident's IRI, or the corrected page's IRI with the claim's
    anchor (``#submission-<n>``); empty when it is not accepted or its page takes no claims."""
    if stored.state != "accepted":
        return ""
    if stored.submission.kind == "incident":
        return str(incident_iri(stored.id))
    try:
        _claim_property(stored.submission.target)
    except UnsupportedTarget:
        return ""
    return f"{stored.submission.target}#submission-{stored.id}"


def _date(value: str) -> Literal:
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=datatype)


def _concept(value: str, field: str) -> URIRef:
    if not value.startswith(CONCEPTS):
        raise InvalidSubmission([FieldProblem(field, f"{value!r} is not a concept of this graph: pick one of its scheme")])
    return URIRef(value)


def _sources(graph: Graph, number: int, sources: tuple[SourceRef, ...]) -> list[URIRef]:
    nodes = []
    for position, source in enumerate(sources, 1):
        node = ID[f"source/submission-{number}-{position}"]
        graph.add((node, RDF.type, KG.WebPage))
        graph.add((node, SCHEMA.url, URIRef(source.url)))
        if source.publisher:
            graph.add((node, DCTERMS.publisher, Literal(source.publisher)))
        if source.date:
            graph.add((node, SCHEMA.datePublished, _date(source.date)))
        nodes.append(node)
    return nodes


def _submitter(graph: Graph, name: str) -> URIRef:
    person = ID[f"person/{slug(name)}"]
    graph.add((person, RDF.type, KG.Person))
    graph.add((person, RDFS.label, Literal(name)))
    return person


def _incident(graph: Graph, s: Submission, number: int, sources: list[URIRef]) -> None:
    incident, system = incident_iri(number), ID[f"system/KG-{number:04d}"]
    graph.add((incident, RDF.type, KG.Incident))
    graph.add((incident, DCTERMS.title, Literal(s.title, lang="en")))
    graph.add((incident, SKOS.notation, Literal(f"KG-{number:04d}")))
    if s.description:
        graph.add((incident, DCTERMS.description, Literal(s.description, lang="en")))
    start, _, end = s.when.partition("/")
    if "/" in s.when:
        graph.add((incident, KG.occurredFrom, _date(start)))
        if end:
            graph.add((incident, KG.occurredUntil, _date(end)))
    else:
        graph.add((incident, KG.occurred, _date(start)))
    for source in sources:
        graph.add((incident, KG.describedBy, source))
    graph.add((incident, KG.involvesSystem, system))
    graph.add((system, RDF.type, KG.AISystem))
    graph.add((system, RDFS.label, Literal(s.system or f"The AI system of “{s.title}”", lang="en")))
    for predicate, field, values in ((KG.ethicalIssue, "ethical_issues", s.ethical_issues),
                                     (KG.externalHarm, "harms", s.harms), (KG.sector, "sectors", s.sectors)):
        for value in values:
            graph.add((incident, predicate, _concept(value, field)))
    for country in s.countries:
        code = ISO_CODE.match(country)
        graph.add((incident, KG.jurisdiction,
                   ID[f"concept/jurisdiction/{country.lower()}"] if code else _concept(country, "countries")))
    for value in s.technologies:
        graph.add((system, KG.technology, _concept(value, "technologies")))
    for role, names in ((KG.deployer, s.deployers), (KG.developer, s.developers)):
        for name in names:
            organisation = ID[f"org/{slug(name)}"]
            graph.add((organisation, RDF.type, KG.Organisation))
            graph.add((organisation, RDFS.label, Literal(name)))
            involvement = ID[f"involvement/KG-{number:04d}-{slug(str(role).rsplit('/', 1)[-1])}-{slug(name)}"]
            graph.add((involvement, RDF.type, KG.Involvement))
            graph.add((involvement, KG.involvedIn, system))
            graph.add((involvement, KG.agent, organisation))
            graph.add((involvement, KG.role, role))
            graph.add((involvement, KG.status, KG.alleged))
            for source in sources:
                graph.add((involvement, KG.source, source))


def _claim_property(target: str) -> URIRef:
    """How a correction's claim points at its page: an incident's (``kg:claimAbout``), an organisation's or a
    concept's (``kg:claimConcerns``); UnsupportedTarget for any other page."""
    if target.startswith(INCIDENTS):
        return KG.claimAbout
    if target.startswith((ORGANISATIONS, CONCEPTS)):
        return KG.claimConcerns
    raise UnsupportedTarget(f"corrections to {target} are kept for review; only incident, organisation and concept "
                            "pages take claims")


def _correction(graph: Graph, s: Submission, number: int, created: str, submitter: URIRef,
                sources: list[URIRef]) -> None:
    about = _claim_property(s.target)
    claim = ID[f"claim/submission-{number}"]
    graph.add((claim, RDF.type, KG.Claim))
    graph.add((claim, about, URIRef(s.target)))
    graph.add((claim, KG.claimant, submitter))
    text = s.problem + (f"\nProposed: {s.proposed}" if s.proposed else "")
    graph.add((claim, KG.claimText, Literal(text, lang="en")))
    graph.add((claim, KG.claimDate, _date(created[:10])))
    graph.add((claim, KG.stance, STANCE_CORRECTION))
    for source in sources:
        graph.add((claim, KG.reportedIn, source))


def statements(submission: Submission, number: int, submitter: str, created: str) -> Graph:
    """What submission ``number`` states (its incident or claim, sources and submitter), without the review's
    provenance: what is checked against the shapes before a submission is taken, and again when it is accepted."""
    graph = Graph(identifier=graph_iri(number))
    person = _submitter(graph, submitter)
    sources = _sources(graph, number, submission.sources)
    if submission.kind == "incident":
        _incident(graph, submission, number, sources)
    else:
        _correction(graph, submission, number, created, person, sources)
    node = graph_iri(number)
    graph.add((node, PROV.wasAttributedTo, person))
    for source in sources:
        graph.add((node, PROV.wasDerivedFrom, source))
    return graph


def submission_graph(stored: Stored) -> Graph:
    """The named graph of accepted submission ``stored``: its statements, who submitted and who accepted it, when."""
    if stored.state != "accepted":
        raise KgError(f"submission {stored.id} is {stored.state}, not accepted")
    graph = statements(stored.submission, stored.id, stored.submitter, stored.created)
    node = graph_iri(stored.id)
    graph.add((node, DCTERMS.title, Literal(f"Submission {stored.id} ({stored.submission.kind})", lang="en")))
    graph.add((node, DCTERMS.created, Literal(stored.created, datatype=XSD.dateTime)))
    graph.add((node, DCTERMS.modified, Literal(stored.updated, datatype=XSD.dateTime)))
    if stored.editor:
        graph.add((node, DCTERMS.contributor, Literal(f"editor {stored.editor}")))
    return graph
