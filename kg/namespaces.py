"""Every IRI prefix the project uses, declared once, and our vocabulary as a DefinedNamespace."""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

BASE = "https://w3id.org/ai-incidents/"
"""Root of every IRI we mint: things under ``id/``, their documents under ``doc/``, graphs under ``graph/``."""

ONTOLOGY_IRI = URIRef(BASE + "def")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
SHAPES = Namespace(BASE + "shapes/")


class KG(DefinedNamespace):
    """The AI Incidents vocabulary (``ontology/ai-incidents.ttl``); an unknown term raises AttributeError.

    >>> KG.Incident
    rdflib.term.URIRef('https://w3id.org/ai-incidents/def/Incident')
    """

    _fail = True
    _NS = Namespace(BASE + "def/")

    # classes
    Incident: URIRef
    AISystem: URIRef
    Agent: URIRef
    Organisation: URIRef
    Person: URIRef
    Involvement: URIRef
    Role: URIRef
    InvolvementStatus: URIRef
    Source: URIRef
    NewsArticle: URIRef
    WebPage: URIRef
    Letter: URIRef
    OfficialDocument: URIRef
    DatasetRecord: URIRef
    SourceCell: URIRef
    Claim: URIRef
    Event: URIRef
    Place: URIRef
    # incident properties
    entryType: URIRef
    occurred: URIRef
    occurredFrom: URIRef
    occurredUntil: URIRef
    involvesSystem: URIRef
    describedBy: URIRef
    ethicalIssue: URIRef
    transparencyIssue: URIRef
    externalHarm: URIRef
    jurisdiction: URIRef
    location: URIRef
    newsTrigger: URIRef
    consequence: URIRef
    response: URIRef
    hasEvent: URIRef
    # AI system properties
    technology: URIRef
    purpose: URIRef
    sector: URIRef
    # involvement properties
    involvedIn: URIRef
    agent: URIRef
    role: URIRef
    status: URIRef
    source: URIRef
    sourceLabel: URIRef
    # source record properties
    cell: URIRef
    column: URIRef
    sourceRow: URIRef
    # claim properties
    claimant: URIRef
    claimAbout: URIRef
    claimConcerns: URIRef
    claimText: URIRef
    claimDate: URIRef
    addressee: URIRef
    madeIn: URIRef
    reportedIn: URIRef
    contradicts: URIRef
    stance: URIRef
    # event properties
    eventType: URIRef
    date: URIRef
    startDate: URIRef
    endDate: URIRef
    actor: URIRef
    # agents and places
    memberOf: URIRef
    position: URIRef
    containedIn: URIRef
    propertyDeveloper: URIRef
    # roles and statuses
    deployer: URIRef
    developer: URIRef
    dataSupplier: URIRef
    partner: URIRef
    investigator: URIRef
    regulator: URIRef
    harmedParty: URIRef
    alleged: URIRef
    confirmed: URIRef
    denied: URIRef
    # concept schemes
    roles: URIRef
    statuses: URIRef
    entryTypes: URIRef
    ethicalIssues: URIRef
    transparencyIssues: URIRef
    individualHarms: URIRef
    societalHarms: URIRef
    environmentalHarms: URIRef
    sectors: URIRef
    technologies: URIRef
    purposes: URIRef
    jurisdictions: URIRef
    newsTriggers: URIRef
    consequences: URIRef
    responses: URIRef
    eventTypes: URIRef
    stances: URIRef
    # imported data: groups of people and external classifications
    Group: URIRef
    classification: URIRef
    possibleClassification: URIRef
    mitRiskDomains: URIRef
    mitRiskEntities: URIRef
    mitRiskIntents: URIRef
    mitRiskTimings: URIRef
    mitRisks: URIRef
    gmfGoals: URIRef
    gmfTechnologies: URIRef
    gmfTechnicalFailures: URIRef
    csetTangibleHarms: URIRef
    csetHarmLevels: URIRef
    csetAutonomyLevels: URIRef
    csetIntentionalHarms: URIRef
    csetRegions: URIRef
    csetSectors: URIRef
    csetInfrastructureSectors: URIRef
    csetHarmDistributionBases: URIRef
    csetAIMethods: URIRef
    oecdConcepts: URIRef
    # links between incident databases, and to Wikidata
    Link: URIRef
    IncidentLink: URIRef
    WikidataLink: URIRef
    linkMethod: URIRef
    linkScore: URIRef
    linkEvidence: URIRef


AIRO = Namespace("https://w3id.org/airo#")
VAIR = Namespace("https://w3id.org/vair#")
DPV = Namespace("https://w3id.org/dpv#")
DPV_AI = Namespace("https://w3id.org/dpv/ai#")
DPV_RISK = Namespace("https://w3id.org/dpv/risk#")
DPV_LOC = Namespace("https://w3id.org/dpv/loc#")
SECTOR_LAW = Namespace("https://w3id.org/dpv/sector/law#")
SCHEMA = Namespace("https://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

PREFIXES: dict[str, str] = {
    "kg": str(KG._NS),
    "id": str(ID),
    "graph": str(GRAPH),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "airo": str(AIRO),
    "vair": str(VAIR),
    "dpv": str(DPV),
    "ai": str(DPV_AI),
    "risk": str(DPV_RISK),
    "loc": str(DPV_LOC),
    "sector-law": str(SECTOR_LAW),
    "wd": str(WD),
    "wdt": str(WDT),
    "void": str(VOID),
    "dcat": str(DCAT),
    "sd": str(SD),
    "sh": str(SH),
}
"""Prefix name -> namespace IRI, for serialisers and for the query prologue users may omit."""


def bind_prefixes(graph: Graph) -> Graph:
    """Bind our prefixes on ``graph`` (replacing rdflib's defaults) and return it."""
    for name, iri in PREFIXES.items():
        graph.bind(name, iri, override=True, replace=True)
    return graph
