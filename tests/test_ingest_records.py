"""Hand-checked records, field by field, as the session's store holds them in each source's named graph.

Each expectation was read off the raw CSV row (quoted in the test's docstring) and written down by hand.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from kg.namespaces import GRAPH, ID, KG, SCHEMA
from kg.store import EmbeddedStore, Solutions

FACTS = "SELECT ?graph ?node ?p ?o WHERE { GRAPH ?graph { ?node ?p ?o } }"
INVOLVEMENTS = """SELECT ?graph ?target ?role ?agent ?status ?source WHERE {
  GRAPH ?graph { ?i kg:involvedIn ?target ; kg:role ?role ; kg:agent ?agent ; kg:status ?status ; kg:source ?source }
}"""
LABEL = "SELECT ?node ?label WHERE { ?node rdfs:label ?label }"


def facts(store: EmbeddedStore, graph: str, node: URIRef) -> dict[URIRef, set[Node]]:
    """Everything ``graph`` states about ``node``: predicate -> objects."""
    result = store.query(FACTS, {"graph": GRAPH[graph], "node": node})
    assert isinstance(result, Solutions)
    found: dict[URIRef, set[Node]] = defaultdict(set)
    for row in result.rows:
        found[row["p"]].add(row["o"])  # type: ignore[index]
    return dict(found)


def involvements(store: EmbeddedStore, graph: str, target: URIRef) -> set[tuple[str, URIRef, str, URIRef]]:
    """(role, agent, status, source) of every involvement in ``target`` that ``graph`` states."""
    result = store.query(INVOLVEMENTS, {"graph": GRAPH[graph], "target": target})
    assert isinstance(result, Solutions)
    return {
        (str(r["role"]).rsplit("/", 1)[-1], r["agent"], str(r["status"]).rsplit("/", 1)[-1], r["source"])
        for r in result.rows
    }  # type: ignore[misc]


def label(store: EmbeddedStore, node: URIRef) -> set[str]:
    result = store.query(LABEL, {"node": node})
    assert isinstance(result, Solutions)
    return {str(r["label"]) for r in result.rows}


def year(value: str) -> Literal:
    return Literal(value, datatype=XSD.gYear)


def concept(scheme: str, key: str) -> URIRef:
    return ID[f"concept/{scheme}/{key}"]


def test_aiaaic0288_2026_05(store: EmbeddedStore) -> None:
    """AIAAIC0288,King's Cross quietly uses live facial recognition to monitor citizens,2019,
    Argent; Metropolitan Police Service (MPS),,,Facial recognition,Strengthen security,
    Media investigation/fact check,Privacy/surveillance,UK,Govt - police,,,,Regulatory investigation,
    Project termination,https://www.aiaaic.org/.../kings-cross-live-facial-recognition-trial"""
    incident, system = ID["incident/AIAAIC0288"], ID["system/AIAAIC0288"]
    record = ID["source/aiaaic-2026-05-AIAAIC0288"]
    assert facts(store, "aiaaic/2026-05", incident) == {
        RDF.type: {KG.Incident},
        DCTERMS.title: {Literal("King's Cross quietly uses live facial recognition to monitor citizens", lang="en")},
        SKOS.notation: {Literal("AIAAIC0288")},
        KG.occurred: {year("2019")},
        KG.describedBy: {record, ID["source/aiaaic-page-AIAAIC0288"]},
        KG.involvesSystem: {system},
        KG.jurisdiction: {concept("jurisdiction", "gb")},
        KG.sector: {concept("sector", "govt-police")},
        KG.ethicalIssue: {concept("ethical-issue", "privacy")},
        KG.newsTrigger: {concept("news-trigger", "media-investigation-fact-check")},
        KG.consequence: {concept("consequence", "regulatory-investigation")},
        KG.response: {concept("response", "project-termination")},
    }
    assert facts(store, "aiaaic/2026-05", system) == {
        RDF.type: {KG.AISystem},
        KG.technology: {concept("technology", "facial-recognition")},
        KG.purpose: {concept("purpose", "strengthen-security")},
    }
    assert involvements(store, "aiaaic/2026-05", system) == {
        ("deployer", ID["org/argent"], "alleged", record),
        ("deployer", ID["org/metropolitan-police-service"], "alleged", record),
    }
    page = facts(store, "aiaaic/2026-05", ID["source/aiaaic-page-AIAAIC0288"])
    assert page[SCHEMA.url] == {
        URIRef(
            "https://www.aiaaic.org/aiaaic-repository/ai-algorithmic-and-automation-incidents/"
            "kings-cross-live-facial-recognition-trial"
        )
    }
    assert facts(store, "curated/kings-cross/page", incident)[KG.occurred] == {
        Literal("2019-08", datatype=XSD.gYearMonth)
    }


def test_aiaaic0288_2025_12_maps_internal_impacts(store: EmbeddedStore) -> None:
    """AIAAIC0288,...,2019,UK,Govt - police,Argent; Metropolitan Police Service (MPS),,,Facial recognition,
    Strengthen security,Media investigation/fact check,Privacy/surveillance,,,,,Project termination,,
    Regulatory investigation,https://... (Operational, then Legal/regulatory)"""
    found = facts(store, "aiaaic/2025-12", ID["incident/AIAAIC0288"])
    assert found[KG.consequence] == {concept("consequence", "regulatory-investigation")}
    assert found[KG.response] == {concept("response", "project-termination")}
    assert found[KG.jurisdiction] == {concept("jurisdiction", "gb")}
    assert found[KG.describedBy] == {ID["source/aiaaic-2025-12-AIAAIC0288"], ID["source/aiaaic-page-AIAAIC0288"]}


def test_aiaaic001_padded_id_keeps_its_notation(store: EmbeddedStore) -> None:
    """AIAAIC001,Google search conflates 'black girls' with pornography,2012,USA,... (2025-12);
    AIAAIC001,Study: Google search conflates 'black girls' with pornography,2012,... (2026-05)"""
    incident = ID["incident/AIAAIC0001"]
    old, new = facts(store, "aiaaic/2025-12", incident), facts(store, "aiaaic/2026-05", incident)
    assert old[SKOS.notation] == new[SKOS.notation] == {Literal("AIAAIC001")}
    assert old[DCTERMS.title] == {Literal("Google search conflates 'black girls' with pornography", lang="en")}
    assert new[DCTERMS.title] == {Literal("Study: Google search conflates 'black girls' with pornography", lang="en")}
    assert old[KG.occurred] == new[KG.occurred] == {year("2012")}
    assert old[KG.jurisdiction] == {concept("jurisdiction", "us")}


def test_aiaaic1430_open_range(store: EmbeddedStore) -> None:
    """AIAAIC1430,"Israel reportedly uses AI to identify 37,000 Hamas targets",2023-,Israel Defense Forces,,
    Lavender,Machine learning,Identify targets,...,Israel; Palestine,Govt - defence,..."""
    incident = ID["incident/AIAAIC1430"]
    found = facts(store, "aiaaic/2026-05", incident)
    assert found[KG.occurredFrom] == {year("2023")}
    assert KG.occurredUntil not in found and KG.occurred not in found
    assert found[KG.jurisdiction] == {concept("jurisdiction", "il"), concept("jurisdiction", "ps")}
    system = facts(store, "aiaaic/2026-05", ID["system/AIAAIC1430"])
    assert system[RDFS.label] == {Literal("Lavender")}
    assert involvements(store, "aiaaic/2026-05", ID["system/AIAAIC1430"]) == {
        ("deployer", ID["org/israel-defense-forces"], "alleged", ID["source/aiaaic-2026-05-AIAAIC1430"])
    }


def test_aiaaic1349_closed_range(store: EmbeddedStore) -> None:
    """AIAAIC1349,Snapchat algorithm recommends teen connects with sex offenders,2019-2024,,Snap Inc.,Quick Add,
    Recommendation algorithm; Machine learning,..."""
    found = facts(store, "aiaaic/2026-05", ID["incident/AIAAIC1349"])
    assert (found[KG.occurredFrom], found[KG.occurredUntil]) == ({year("2019")}, {year("2024")})
    assert facts(store, "aiaaic/2026-05", ID["system/AIAAIC1349"])[KG.technology] == {
        concept("technology", "recommendation-algorithm"),
        concept("technology", "machine-learning"),
    }


def test_aiaaic2252_multi_valued_developer(store: EmbeddedStore) -> None:
    """AIAAIC2252,"Paraná school attendance facial recognition system criticised as (...)",2025,
    Secretariat of Education and Sport of Paraná,Celepar; Innovatrics; Valid,LRCO Paraná,..."""
    record = ID["source/aiaaic-2026-05-AIAAIC2252"]
    assert involvements(store, "aiaaic/2026-05", ID["system/AIAAIC2252"]) == {
        ("deployer", ID["org/secretariat-of-education-and-sport-of-parana"], "alleged", record),
        ("developer", ID["org/celepar"], "alleged", record),
        ("developer", ID["org/innovatrics"], "alleged", record),
        ("developer", ID["org/valid"], "alleged", record),
    }
    assert label(store, ID["org/secretariat-of-education-and-sport-of-parana"]) == {
        "Secretariat of Education and Sport of Paraná"
    }


def test_aiid_310_names_nec(store: EmbeddedStore) -> None:
    """310,2017-06-03,...,["south-wales-police"],["nec"],["finals-attendees","falsely-accused-finals-attendees"],
    ...,High False Positive Rate by SWP's Facial Recognition Use at Champion's League Final"""
    incident, record = ID["incident/AIID-310"], ID["source/aiid-2026-06-AIID-310"]
    found = facts(store, "aiid/2026-06", incident)
    assert found[DCTERMS.title] == {
        Literal("High False Positive Rate by SWP's Facial Recognition Use at Champion's League Final", lang="en")
    }
    assert found[KG.occurred] == {Literal("2017-06-03", datatype=XSD.date)}
    assert found[SKOS.notation] == {Literal("AIID-310")}
    assert found[KG.describedBy] == {record, ID["source/aiid-cite-310"]}
    cite = facts(store, "aiid/2026-06", ID["source/aiid-cite-310"])
    assert cite[SCHEMA.url] == {URIRef("https://incidentdatabase.ai/cite/310")}
    assert cite[RDF.type] == {KG.WebPage}
    assert facts(store, "aiid/2026-06", record)[DCTERMS.identifier] == {Literal("6305e6d7af7cc5438e2ac401")}
    assert involvements(store, "aiid/2026-06", incident) == {
        ("deployer", ID["org/south-wales-police"], "alleged", record),
        ("developer", ID["org/nec"], "alleged", record),
        ("harmedParty", ID["group/finals-attendees"], "alleged", record),
        ("harmedParty", ID["group/falsely-accused-finals-attendees"], "alleged", record),
    }
    assert label(store, ID["org/nec"]) == {"NEC"}


def test_aiid_1305_merges_the_met_slug(store: EmbeddedStore) -> None:
    """1305,2025-12-05,...,["home-office","metropolitan-police","government-of-the-united-kingdom",
    "law-enforcement","british-law-enforcement"],["unknown-facial-recognition-technology-developers"],..."""
    found = {
        (role, agent)
        for role, agent, _, _ in involvements(store, "aiid/2026-06", ID["incident/AIID-1305"])
        if role != "harmedParty"
    }
    assert found == {
        ("deployer", ID["org/home-office"]),
        ("deployer", ID["org/metropolitan-police-service"]),
        ("deployer", ID["org/government-of-the-united-kingdom"]),
        ("deployer", ID["group/law-enforcement"]),
        ("deployer", ID["group/british-law-enforcement"]),
        ("developer", ID["group/unknown-facial-recognition-technology-developers"]),
    }
    assert label(store, ID["org/metropolitan-police-service"]) == {"Metropolitan Police Service"}


def test_aiid_310_mit_classification(store: EmbeddedStore) -> None:
    """MIT,310,True,7. AI system safety, failures, and limitations,7.3. Lack of capability or robustness,
    AI,Post-deployment,Unintentional"""
    found = facts(store, "aiid/2026-02/mit", ID["incident/AIID-310"])
    assert found[KG.classification] == {
        concept("mit-risk-domain", "ai-system-safety-failures-and-limitations"),
        concept("mit-risk-domain", "lack-of-capability-or-robustness"),
        concept("mit-risk-entity", "ai"),
        concept("mit-risk-timing", "post-deployment"),
        concept("mit-risk-intent", "unintentional"),
    }
    domain = facts(store, "aiid/2026-02/mit", concept("mit-risk-domain", "ai-system-safety-failures-and-limitations"))
    assert domain[SKOS.notation] == {Literal("7")}
    assert domain[SKOS.prefLabel] == {Literal("AI system safety, failures, & limitations", lang="en")}
    assert domain[SKOS.altLabel] == {Literal("AI system safety, failures, and limitations", lang="en")}


def test_mit_risk_01_01_00(store: EmbeddedStore) -> None:
    """TASRA...,Critch2023,01.01.00,1,1,0,,Risk Category,Type 1: Diffusion of responsibility,,Societal-scale harm
    can arise from AI built by a diffuse collection of creators, ...,1 - Human,2 - Unintentional,3 - Other,
    6. Socioeconomic and Environmental,6.5 > Governance failure"""
    risk = concept("mit-ai-risk", "01-01-00")
    found = facts(store, "mit-ai-risk/v3", risk)
    assert found[SKOS.prefLabel] == {Literal("Type 1: Diffusion of responsibility", lang="en")}
    assert found[SKOS.inScheme] == {KG.mitRisks}
    assert found[SKOS.notation] == {Literal("01.01.00")}
    assert found[DCTERMS.source] == {ID["source/mit-ai-risk-v3-paper-1"]}
    assert str(next(iter(found[SKOS.definition]))).startswith(
        "Societal-scale harm can arise from AI built by a diffuse"
    )
    assert found[KG.classification] == {
        concept("mit-risk-domain", "socioeconomic-and-environmental"),
        concept("mit-risk-domain", "governance-failure"),
        concept("mit-risk-entity", "human"),
        concept("mit-risk-intent", "unintentional"),
        concept("mit-risk-timing", "other"),
    }
    assert len(found[SKOS.example]) == 4  # the row's own "Additional ev." and rows 01.01.00.a, .b, .c
    paper = facts(store, "mit-ai-risk/v3", ID["source/mit-ai-risk-v3-paper-1"])
    assert paper[DCTERMS.title] == {Literal("TASRA: a Taxonomy and Analysis of Societal-Scale Risks from AI")}
    assert paper[SKOS.notation] == {Literal("Critch2023")}


def test_oecd_incident(store: EmbeddedStore) -> None:
    """2025-07-27-c835,Google's AI Earthquake Alert System Fails During 2023 Turkey Disaster,2025-07-27,...,
    "Earthquake, Google, Moment magnitude scale, Turkey, Action film, ...",,,incidents-2.xlsx;..."""
    incident = ID["incident/OECD-2025-07-27-c835"]
    found = facts(store, "oecd-aim/sample", incident)
    assert found[DCTERMS.title] == {
        Literal("Google's AI Earthquake Alert System Fails During 2023 Turkey Disaster", lang="en")
    }
    assert found[KG.occurred] == {Literal("2025-07-27", datatype=XSD.date)}
    assert {concept("oecd-concept", "google"), concept("oecd-concept", "earthquake")} <= found[KG.classification]
    assert len(found[KG.classification]) == 10
    page = facts(store, "oecd-aim/sample", ID["source/oecd-aim-page-2025-07-27-c835"])
    assert page[SCHEMA.url] == {URIRef("https://oecd.ai/en/incidents/2025-07-27-c835")}


def test_aiid_duplicate_links(store: EmbeddedStore) -> None:
    """duplicates.csv: 237,120 and 88,1057"""
    assert facts(store, "aiid/2026-02", ID["incident/AIID-237"]) == {DCTERMS.isReplacedBy: {ID["incident/AIID-120"]}}
    assert facts(store, "aiid/2026-02", ID["incident/AIID-88"])[DCTERMS.isReplacedBy] == {ID["incident/AIID-1057"]}
