"""Incidents exported as framework records, from the session's real store: AIAAIC0288 field by field against the
curated King's Cross Turtle, the bulk export against each framework's JSON Schema, the SHACL profile against the
records, and the coverage figures against counts asked of the store directly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from kg.frameworks.coverage import coverage
from kg.frameworks.crosswalk import FRAMEWORKS, SOURCES, crosswalk
from kg.frameworks.export import export, schema
from kg.frameworks.profile import report, view
from kg.frameworks.values import Row, store_runner
from kg.namespaces import ID, KG
from kg.store import EmbeddedStore, Solutions, TripleStore

REPO = Path(__file__).resolve().parents[1]
CASE = ID["incident/AIAAIC0288"]
CURATED_GRAPH = "https://w3id.org/ai-incidents/graph/curated/kings-cross/page"


@pytest.fixture(scope="module")
def curated() -> Graph:
    """The curated King's Cross case and the curated concepts and organisations (the expectations' source)."""
    graph = Graph()
    for name in ("kings-cross/page.ttl", "concepts.ttl", "organisations.ttl"):
        graph.parse(REPO / "data" / "curated" / name, format="turtle", publicID=CURATED_GRAPH)
    return graph


def involved(curated: Graph, role: URIRef) -> dict[str, str]:
    """Agent IRI -> status of the curated involvements with ``role`` in the case's system."""
    system = curated.value(CASE, KG.involvesSystem)
    return {str(curated.value(i, KG.agent)): str(curated.value(i, KG.status))
            for i in curated.subjects(KG.involvedIn, system) if curated.value(i, KG.role) == role}


def field(found: dict[str, Any], name: str) -> dict[str, Any]:
    (only,) = found["records"]
    return only["fields"][name]


def curated_values(entry: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {v["value"]: v for v in entry["values"] if "curated" in v["sources"]}


def test_kings_cross_as_oecd_record(store: TripleStore, curated: Graph) -> None:
    found = export(store_runner(store), "oecd-crf", CASE)
    (record,) = found["records"]
    assert record["incident"] == str(CASE) and set(record["sourceDatabases"]) == {"AIAAIC", "curated"}
    assert set(record["fields"]) == {f.name for f in crosswalk("oecd-crf").fields}
    assert set(curated_values(field(found, "Title"))) == {str(curated.value(CASE, DCTERMS.title))}
    assert set(curated_values(field(found, "Description of the incident"))) == {str(curated.value(CASE, DCTERMS.description))}
    system = curated.value(CASE, KG.involvesSystem)
    related = curated_values(field(found, "How is the AI system(s) related to the incident"))
    assert set(related) == {str(system)} and related[str(system)]["label"] == str(curated.value(system, RDFS.label))
    occurred = curated.value(CASE, KG.occurred)
    dates = curated_values(field(found, "Date of first known occurrence"))
    assert set(dates) == {str(occurred)} and dates[str(occurred)]["datatype"] == str(occurred.datatype)
    country = curated.value(CASE, KG.jurisdiction)
    countries = curated_values(field(found, "Country(ies) where incident occurred"))
    assert set(countries) == {str(country)}
    assert countries[str(country)]["label"] == str(curated.value(country, SKOS.prefLabel))  # United Kingdom
    assert countries[str(country)]["detail"] == str(curated.value(country, SKOS.notation))
    page = curated.value(CASE, KG.describedBy)
    support = curated_values(field(found, "Supporting material(s) about the incident"))
    assert support[str(page)]["detail"] == str(curated.value(page, URIRef("https://schema.org/url")))
    organisations = curated_values(field(found, "Organisation(s) that developed and/or deployed the AI system"))
    expected = {**{a: ("developers", s) for a, s in involved(curated, KG.developer).items()},
                **{a: ("deployers", s) for a, s in involved(curated, KG.deployer).items()}}
    assert {a: (v["kind"], v["detail"]) for a, v in organisations.items()} == expected
    assert {str(KG.denied), str(KG.alleged), str(KG.confirmed)} <= {s for _, s in expected.values()}
    claims = curated_values(field(found, "Additional information"))
    assert {v["label"] for v in claims.values()} == {str(t) for t in curated.objects(None, KG.claimText)}
    severity = field(found, "Severity")  # no source gives King's Cross a harm level: empty, never guessed
    assert severity["values"] == [] and severity["sourceValues"] == [] and not severity["filled"]
    assert "10" in record["mandatoryMissing"]
    for definition in found["fields"]:
        entry = record["fields"][definition["field"]]
        if definition["status"] == "unmapped":
            assert entry == {"id": definition["id"], "status": "unmapped", "filled": False, "values": []}
    jsonschema.validate(found, schema("oecd-crf"))


def test_kings_cross_as_article_73_record(store: TripleStore, curated: Graph) -> None:
    found = export(store_runner(store), "eu-ai-act-73", CASE)
    (record,) = found["records"]
    providers = curated_values(field(found, "Provider organisation and contact details"))
    assert {a: v["detail"] for a, v in providers.items()} == involved(curated, KG.developer)  # NEC, alleged
    operators = curated_values(field(found, "Operator (professional user or other)"))
    assert {a: v["detail"] for a, v in operators.items()} == involved(curated, KG.deployer)  # Argent, Met, BTP
    system = curated.value(CASE, KG.involvesSystem)
    assert set(curated_values(field(found, "AI system name"))) == {str(system)}
    described = curated_values(field(found, "AI system description"))
    assert set(described) == {str(o) for p in (KG.technology, KG.purpose) for o in curated.objects(system, p)}
    assert set(curated_values(field(found, "Nature of the incident"))) == {str(curated.value(CASE, DCTERMS.description))}
    authority = curated_values(field(found, "Responsible market surveillance authority"))
    assert set(authority) == {str(curated.value(CASE, KG.jurisdiction))}
    for name in ("Classification of the serious incident", "EU database registration ID", "Type of report"):
        assert field(found, name)["values"] == [] and field(found, name)["status"] == "unmapped"
    assert "2.1" in record["mandatoryMissing"] and "3.1" not in record["mandatoryMissing"]
    jsonschema.validate(found, schema("eu-ai-act-73"))


def test_an_unknown_incident_is_not_found(store: TripleStore) -> None:
    from kg.errors import NotFound

    with pytest.raises(NotFound, match="no incident"):
        export(store_runner(store), "oecd-crf", ID["incident/AIAAIC9999"])


@pytest.fixture(scope="module")
def cached_run(embedded_store: EmbeddedStore) -> Callable[[str, dict], list[Row]]:
    """Each bulk query run once for the module: the exports and the coverage share them."""
    run, seen = store_runner(embedded_store), {}

    def cached(text: str, bindings: dict) -> list[Row]:
        key = (text, tuple(sorted(bindings.items())))
        if key not in seen:
            seen[key] = run(text, bindings)
        return seen[key]

    return cached


@pytest.fixture(scope="module")
def bulk(cached_run: Callable[[str, dict], list[Row]]) -> dict[str, dict[str, Any]]:
    return {framework: export(cached_run, framework) for framework in FRAMEWORKS}


def count(store: TripleStore, text: str) -> int:
    result = store.query(text)
    assert isinstance(result, Solutions)
    return int(result.rows[0]["n"])


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_the_bulk_export_validates_against_the_schema(framework: str, bulk: dict[str, dict[str, Any]],
                                                     embedded_store: EmbeddedStore) -> None:
    found = bulk[framework]
    incidents = count(embedded_store, "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a kg:Incident }")
    assert len(found["records"]) == incidents
    errors = list(jsonschema.Draft202012Validator(schema(framework)).iter_errors(found))
    assert not errors, [f"{list(e.absolute_path)[:4]}: {e.message[:200]}" for e in errors[:5]]
    for record in found["records"]:
        for entry in record["fields"].values():
            assert entry["filled"] == bool(entry["values"])


def test_the_profile_report_agrees_with_the_records(bulk: dict[str, dict[str, Any]],
                                                   embedded_store: EmbeddedStore) -> None:
    """SHACL over the profile view and the records' SPARQL paths must find the same gaps (a sample per source)."""
    for framework in FRAMEWORKS:
        records = bulk[framework]["records"]
        sample = [r for source in SOURCES for r in [x for x in records if source in x["sourceDatabases"]][::97][:8]]
        sample.append(next(r for r in records if r["key"] == "AIAAIC0288"))
        for record in sample:
            incident = URIRef(record["incident"])
            lacks = report(framework, view(embedded_store, incident)).lacks(str(incident))
            assert list(lacks) == record["mandatoryMissing"], (framework, record["key"])


def test_coverage_counts_match_the_store(cached_run: Callable[[str, dict], list[Row]],
                                        embedded_store: EmbeddedStore) -> None:
    figures = coverage(cached_run)
    by_source = {
        "AIAAIC": "aiaaic/", "AIID": "aiid/2026", "OECD AIM": "oecd-aim/", "curated": "curated/",
    }
    oecd = {row["id"]: row for row in figures["frameworks"]["oecd-crf"]}
    for source, prefix in by_source.items():
        graphs = f'FILTER(STRSTARTS(STR(?g), "https://w3id.org/ai-incidents/graph/{prefix}"))'
        titled = count(embedded_store, "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a kg:Incident . "
                                       f"GRAPH ?g {{ ?i dct:title ?t }} {graphs} }}")
        described = count(embedded_store, "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a kg:Incident . "
                                          f"GRAPH ?g {{ ?i dct:description ?t }} {graphs} }}")
        assert oecd["1"]["counts"][source] == titled, source
        assert oecd["2"]["counts"][source] == described, source
    graded = count(embedded_store, "SELECT (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a kg:Incident ; kg:classification ?c . "
                                   "FILTER(?c IN (id:concept\\/cset-ai-harm-level\\/ai-tangible-harm-event, "
                                   "id:concept\\/cset-ai-harm-level\\/ai-tangible-harm-near-miss, "
                                   "id:concept\\/cset-ai-harm-level\\/ai-tangible-harm-issue)) }")
    assert oecd["10"]["any"] == graded > 0
    for framework in FRAMEWORKS:
        for field, row in zip(crosswalk(framework).fields, figures["frameworks"][framework]):
            filled_by = {s for s, n in row["counts"].items() if n}
            assert filled_by == set(field.sources), f"{framework} {field.id}: declared {field.sources}, found {filled_by}"
            if field.status == "unmapped":
                assert row["any"] == 0
