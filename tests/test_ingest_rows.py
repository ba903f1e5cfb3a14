"""Importers on small fixtures: each bad row is rejected with file, row, field and reason; the rest imports."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from kg.errors import DataSyntaxError
from kg.ingest import catalogue
from kg.ingest.aiaaic import import_aiaaic
from kg.ingest.aiid import import_aiid_incidents
from kg.ingest.concepts import TECHNOLOGIES, Concepts, read_drift, read_jurisdictions
from kg.ingest.organisations import Agents, read_aliases, read_kinds
from kg.ingest.report import ImportReport, ImportResult
from kg.ingest.triples import TripleSet
from kg.namespaces import GRAPH, ID, KG

FIXTURES = Path(__file__).resolve().parent / "data" / "sources"
DATA = Path(__file__).resolve().parents[1] / "data"


def tables() -> tuple[Concepts, Agents]:
    """The repository's concept and organisation tables, fresh for one import."""
    concepts = Concepts(
        read_drift(DATA / "concepts" / "label-drift.csv"), read_jurisdictions(DATA / "concepts" / "jurisdictions.csv")
    )
    agents = Agents(
        read_aliases(DATA / "organisations" / "aliases.csv"), read_kinds(DATA / "organisations" / "kinds.csv")
    )
    return concepts, agents


@pytest.fixture(scope="module")
def aiaaic_bad() -> ImportResult:
    concepts, agents = tables()
    return import_aiaaic(FIXTURES / "aiaaic_bad_rows.csv", catalogue.AIAAIC_2026_05.dataset, concepts, agents)


@pytest.fixture(scope="module")
def aiid_bad() -> ImportResult:
    _, agents = tables()
    return import_aiid_incidents(FIXTURES / "aiid_bad_rows.csv", catalogue.AIID_2026_06.dataset, agents)


def test_aiaaic_bad_rows_are_rejected_with_where_and_why(aiaaic_bad: ImportResult) -> None:
    found = [(p.row, p.field, p.reason) for p in aiaaic_bad.report.rejected]
    assert found == [
        (5, "AIAAIC ID#", "missing ID"),
        (
            6,
            "Occurred",
            "AIAAIC0903: not a date: 'Aug 2019' (expected a year 2019, a range 2019-2024, "
            "an open range 2023- or an ISO date)",
        ),
        (7, None, "broken quoting: a quoted cell opened on this line is not closed (csv: ',' expected after '\"')"),
        (9, None, "broken quoting: a quoted cell opened on this line is not closed (csv: unexpected end of data)"),
    ]
    assert all(p.file.endswith("aiaaic_bad_rows.csv") for p in aiaaic_bad.report.rejected)


def test_aiaaic_rest_of_the_file_still_imports(aiaaic_bad: ImportResult) -> None:
    report, graph = aiaaic_bad.report, aiaaic_bad.graph
    assert (report.rows_read, report.imported, report.empty) == (9, 4, 1)
    assert report.rows_read == report.imported + len(report.rejected) + report.empty
    incidents = {str(s).rsplit("/", 1)[-1] for s in graph.subjects(RDF.type, KG.Incident)}
    assert incidents == {"AIAAIC0901", "AIAAIC0908", "AIAAIC0905", "AIAAIC0906"}
    assert [(w.row, w.reason) for w in report.warnings] == [(11, "empty row skipped")]


def test_aiaaic_rows_after_broken_quotes_keep_their_own_cells(aiaaic_bad: ImportResult) -> None:
    graph = aiaaic_bad.graph
    assert graph.objects(ID["incident/AIAAIC0908"], URIRef("http://purl.org/dc/terms/title")) == {
        Literal("Quoted, and fine", lang="en")
    }
    assert graph.objects(ID["incident/AIAAIC0908"], KG.occurred) == {Literal("2020", datatype=XSD.gYear)}


def test_aiaaic_dates_at_their_precision_and_padded_ids(aiaaic_bad: ImportResult) -> None:
    graph = aiaaic_bad.graph
    closed, open_, short = ID["incident/AIAAIC0905"], ID["incident/AIAAIC0906"], ID["incident/AIAAIC0906"]
    assert graph.objects(closed, KG.occurredFrom) == {Literal("2019", datatype=XSD.gYear)}
    assert graph.objects(closed, KG.occurredUntil) == {Literal("2024", datatype=XSD.gYear)}
    assert graph.objects(open_, KG.occurredFrom) == {Literal("2023", datatype=XSD.gYear)}
    assert graph.objects(open_, KG.occurredUntil) == set()
    assert graph.objects(short, SKOS.notation) == {Literal("AIAAIC906")}


def test_aiaaic_multi_values_drift_and_subdivisions(aiaaic_bad: ImportResult) -> None:
    graph = aiaaic_bad.graph
    incident, system = ID["incident/AIAAIC0901"], ID["system/AIAAIC0901"]
    deployers = {
        o
        for s in graph.subjects(KG.role, KG.deployer)
        if (s, KG.involvedIn, system) in graph
        for o in graph.objects(s, KG.agent)
    }
    assert deployers == {ID["org/acme-police"], ID["org/example-city-council"]}
    assert graph.objects(incident, KG.ethicalIssue) == {
        ID["concept/ethical-issue/privacy"],
        ID["concept/ethical-issue/fairness"],
    }
    assert (ID["concept/ethical-issue/privacy"], SKOS.altLabel, Literal("Privacy/surveillance", lang="en")) in graph
    assert graph.objects(incident, KG.newsTrigger) == {ID["concept/news-trigger/media-investigation-fact-check"]}
    england = ID["concept/jurisdiction/gb-eng"]
    assert graph.objects(incident, KG.jurisdiction) == {england}
    assert (england, SKOS.broader, ID["concept/jurisdiction/gb"]) in graph
    assert (england, SKOS.notation, Literal("GB-ENG")) in graph


def test_aiaaic_old_layout_is_read_from_its_header() -> None:
    concepts, agents = tables()
    result = import_aiaaic(FIXTURES / "aiaaic_old_layout.csv", catalogue.AIAAIC_2026_05.dataset, concepts, agents)
    report, graph = result.report, result.graph
    assert report.notes == ["layout: older export (Operator, Transparency)"]
    assert (report.rows_read, report.imported) == (1, 1)
    assert [(w.field, w.reason) for w in report.warnings] == [
        ("Released", "column not imported: the importer does not know it")
    ]
    incident = ID["incident/AIAAIC0002"]
    assert graph.objects(incident, KG.entryType) == {ID["concept/entry-type/incident"]}
    assert graph.objects(incident, KG.transparencyIssue) == {
        ID["concept/transparency-issue/governance"],
        ID["concept/transparency-issue/marketing"],
    }
    operators = {o for s in graph.subjects(KG.role, KG.deployer) for o in graph.objects(s, KG.agent)}
    assert operators == {ID["org/acme-search"]}


def test_aiid_bad_rows_are_rejected_with_where_and_why(aiid_bad: ImportResult) -> None:
    found = [(p.row, p.field, p.reason) for p in aiid_bad.report.rejected]
    assert found == [
        (3, "incident_id", "missing incident ID"),
        (4, "date", "incident 3: not a real date: '2016-02-30' (day is out of range for month)"),
        (5, "Alleged deployer of AI system", "not a JSON array: Expecting value at character 15"),
    ]
    assert (aiid_bad.report.rows_read, aiid_bad.report.imported) == (5, 2)


def test_aiid_placeholders_people_and_groups(aiid_bad: ImportResult) -> None:
    graph = aiid_bad.graph
    parties = {
        (str(role).rsplit("/", 1)[-1], agent)
        for inv in graph.subjects(KG.involvedIn, ID["incident/AIID-5"])
        for role in graph.objects(inv, KG.role)
        for agent in graph.objects(inv, KG.agent)
    }
    assert parties == {
        ("developer", ID["org/acme-ai"]),
        ("developer", ID["group/unknown-deepfake-creators"]),
        ("harmedParty", ID["person/elaine-herzberg"]),
        ("harmedParty", ID["org/acme-police"]),
    }
    assert (ID["group/unknown-deepfake-creators"], RDF.type, KG.Group) in graph
    assert (ID["person/elaine-herzberg"], RDF.type, KG.Person) in graph


def test_concept_label_drift_keeps_one_preferred_label() -> None:
    """The drift table and curated labels choose the preferred label; other spellings become altLabels."""
    face = ID["concept/technology/facial-recognition"]
    drift = {("technology", "Text to speech"): "Text-to-speech"}
    concepts = Concepts(drift=drift, preferred={face: "Facial recognition"})
    graph, report = TripleSet(GRAPH["test"]), ImportReport("test", "test.csv", "test")
    first = concepts.use(graph, TECHNOLOGIES, "Text to speech", report, 3, "Technology")
    again = concepts.use(graph, TECHNOLOGIES, "Text-to-speech", report, 4, "Technology")
    shouted = concepts.use(graph, TECHNOLOGIES, "FACIAL  RECOGNITION", report, 5, "Technology")
    assert first == again == ID["concept/technology/text-to-speech"] and shouted == face
    assert graph.objects(first, SKOS.prefLabel) == {Literal("Text-to-speech", lang="en")}
    assert graph.objects(first, SKOS.altLabel) == {Literal("Text to speech", lang="en")}
    assert graph.objects(face, SKOS.prefLabel) == {Literal("Facial recognition", lang="en")}
    assert graph.objects(face, SKOS.altLabel) == {Literal("FACIAL RECOGNITION", lang="en")}
    assert [(w.row, w.field) for w in report.warnings] == [(5, "Technology")]


def test_a_file_of_the_wrong_kind_is_a_syntax_error_naming_it() -> None:
    concepts, agents = tables()
    with pytest.raises(DataSyntaxError, match="no 'AIAAIC ID#' header"):
        import_aiaaic(FIXTURES / "aiid_bad_rows.csv", catalogue.AIAAIC_2026_05.dataset, concepts, agents)
    with pytest.raises(DataSyntaxError, match=r"aiaaic_old_layout.csv:1: missing column\(s\): incident_id, date"):
        import_aiid_incidents(FIXTURES / "aiaaic_old_layout.csv", catalogue.AIID_2026_06.dataset, agents)
