"""Wikidata reconciliation and the SERVICE examples, against a real local SPARQL endpoint holding a Wikidata-shaped
fixture (``tests/data/wikidata/fixture.ttl``, served by the ``oxigraph`` server from PyPI on a loopback port)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_server import free_port, start_server, stop_server
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg import queries
from kg.build import build
from kg.errors import DataSyntaxError
from kg.link.wikidata import WikidataEndpoint, read_entities, reconcile
from kg.link.wikidata_links import REVIEWED, link_node, link_wikidata
from kg.link.wikidata_review import read_wikidata_decisions
from kg.link.wikidata_scoring import WikidataCandidate
from kg.namespaces import ID, KG, SCHEMA, WD
from kg.store import EmbeddedStore, Solutions

FIXTURE = Path(__file__).resolve().parent / "data" / "wikidata" / "fixture.ttl"
REPO = Path(__file__).resolve().parents[1]
OXIGRAPH = Path(sys.executable).with_name("oxigraph")
KG_SCRIPT = Path(sys.executable).with_name("kg")

NEC, EXHIBITION_CENTRE = WD.Q990000501, WD.Q990000502
ARGENT_DEVELOPER, ARGENT_US, ARGENT_TINCTURE = WD.Q990000401, WD.Q990000402, WD.Q990000403
KINGS_CROSS_CENTRAL, KINGS_CROSS_STATION = WD.Q990000301, WD.Q990000302
MET_POLICE, DC_POLICE = WD.Q990000601, WD.Q990000602
UNITED_KINGDOM, OLD_UNITED_KINGDOM = WD.Q145, WD.Q990000201


def start_endpoint(turtle: Path, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """``oxigraph serve-read-only`` on a free loopback port over ``turtle``; its query URL once it answers."""
    database = folder / "db"
    subprocess.run([str(OXIGRAPH), "load", "--location", str(database), "--file", str(turtle)],
                   check=True, capture_output=True, timeout=120)
    port = free_port()
    log = (folder / "oxigraph.log").open("wb")
    process = subprocess.Popen([str(OXIGRAPH), "serve-read-only", "--location", str(database),
                                "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, (folder / "oxigraph.log").read_text()
        try:
            if httpx.post(url, data={"query": "ASK {}"}, timeout=2).status_code == 200:
                return process, url
        except httpx.TransportError:
            assert time.monotonic() < deadline, "the oxigraph server did not answer within 60 s"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The fixture served by a real SPARQL endpoint: its URL."""
    process, url = start_endpoint(FIXTURE, tmp_path_factory.mktemp("wikidata"))
    yield url
    stop_server(process)


@pytest.fixture(scope="module")
def endpoint_without_nec(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The same fixture with NEC Corporation's item removed."""
    folder = tmp_path_factory.mktemp("wikidata-without-nec")
    graph = Graph().parse(FIXTURE)
    graph.remove((NEC, None, None))
    graph.serialize(destination=folder / "fixture.ttl", format="turtle")
    process, url = start_endpoint(folder / "fixture.ttl", folder)
    yield url
    stop_server(process)


def run_reconciler(store: EmbeddedStore, url: str) -> dict[str, list[WikidataCandidate]]:
    client = WikidataEndpoint(url)
    try:
        candidates = reconcile(read_entities(store), client)
    finally:
        client.close()
    by_entity: dict[str, list[WikidataCandidate]] = {}
    for candidate in candidates:
        by_entity.setdefault(candidate.entity.iri, []).append(candidate)
    return by_entity


@pytest.fixture(scope="module")
def candidates(embedded_store: EmbeddedStore, endpoint: str) -> dict[str, list[WikidataCandidate]]:
    return run_reconciler(embedded_store, endpoint)


def offered(found: dict[str, list[WikidataCandidate]], key: str) -> dict[URIRef, WikidataCandidate]:
    return {URIRef(c.item.iri): c for c in found.get(str(ID[key]), [])}


def suggested(found: dict[str, list[WikidataCandidate]], key: str) -> list[URIRef]:
    return [URIRef(c.item.iri) for c in found.get(str(ID[key]), []) if c.suggested]


# -- the reconciler ----------------------------------------------------------------------------------------


def test_nec_is_found_and_the_exhibition_centre_is_not_chosen(candidates):
    nec = offered(candidates, "org/nec")
    assert suggested(candidates, "org/nec") == [NEC]
    assert EXHIBITION_CENTRE in nec and not nec[EXHIBITION_CENTRE].suggested
    assert nec[NEC].score > nec[EXHIBITION_CENTRE].score
    assert "not a kind of organization" in nec[EXHIBITION_CENTRE].evidence


def test_argent_the_developer_is_told_apart_by_type_and_country(candidates):
    argent = offered(candidates, "org/argent")
    assert {ARGENT_DEVELOPER, ARGENT_US, ARGENT_TINCTURE} <= set(argent)
    assert suggested(candidates, "org/argent") == [ARGENT_DEVELOPER]
    assert "country US, ours GB" in argent[ARGENT_US].evidence
    assert "not a kind of organization" in argent[ARGENT_TINCTURE].evidence
    assert argent[ARGENT_DEVELOPER].score > max(argent[ARGENT_US].score, argent[ARGENT_TINCTURE].score)


def test_the_estate_is_not_the_railway_station(candidates):
    estate = offered(candidates, "place/kings-cross-estate")
    assert KINGS_CROSS_STATION in estate and not estate[KINGS_CROSS_STATION].suggested
    assert suggested(candidates, "place/kings-cross-estate") == [KINGS_CROSS_CENTRAL]
    assert "shortened name" in estate[KINGS_CROSS_STATION].evidence


def test_london_police_is_not_washington_police_and_today_uk_is_not_the_old_one(candidates):
    assert suggested(candidates, "org/metropolitan-police-service") == [MET_POLICE]
    assert not offered(candidates, "org/metropolitan-police-service")[DC_POLICE].suggested
    assert suggested(candidates, "concept/jurisdiction/gb") == [UNITED_KINGDOM]
    assert OLD_UNITED_KINGDOM in offered(candidates, "concept/jurisdiction/gb")


def test_a_decoy_is_never_suggested_anywhere(candidates):
    decoys = {EXHIBITION_CENTRE, ARGENT_US, ARGENT_TINCTURE, KINGS_CROSS_STATION, DC_POLICE, OLD_UNITED_KINGDOM}
    chosen = {URIRef(c.item.iri) for found in candidates.values() for c in found if c.suggested}
    assert chosen and not chosen & decoys


def test_without_nec_at_the_endpoint_nec_gets_nothing(embedded_store, endpoint_without_nec, tmp_path):
    found = run_reconciler(embedded_store, endpoint_without_nec)
    assert NEC not in offered(found, "org/nec") and suggested(found, "org/nec") == []
    result = link_wikidata(embedded_store, endpoint_without_nec, tmp_path / "review.csv", tmp_path / "links.ttl")
    assert not list(result.links.objects(ID["org/nec"], SCHEMA.sameAs))
    rows = [r for r in read_review(tmp_path / "review.csv") if r["iri"] == str(ID["org/nec"])]
    assert rows and all(r["decision"] == "" and r["suggested"] == "" for r in rows)


# -- review file and links ---------------------------------------------------------------------------------


def read_review(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def decide(path: Path, iri: URIRef, item: URIRef, decision: str) -> None:
    rows = read_review(path)
    for row in rows:
        if row["iri"] == str(iri) and row["candidate"] == str(item):
            row["decision"] = decision
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def reviewed(embedded_store: EmbeddedStore, endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A review file where a person accepted NEC Corporation and rejected the exhibition centre, rerun once."""
    review = tmp_path_factory.mktemp("review") / "wikidata-candidates.csv"
    first = link_wikidata(embedded_store, endpoint, review)
    assert first.review_rows > 10 and not list(first.links.subjects(RDF.type, KG.WikidataLink))
    decide(review, ID["org/nec"], NEC, "accept")
    decide(review, ID["org/nec"], EXHIBITION_CENTRE, "reject")
    return review


def test_only_accepted_rows_become_links_and_decisions_survive_a_rerun(embedded_store, endpoint, reviewed, tmp_path):
    review = tmp_path / "review.csv"
    shutil.copy(reviewed, review)
    result = link_wikidata(embedded_store, endpoint, review, tmp_path / "links.ttl")
    rows = {(r["iri"], r["candidate"]): r for r in read_review(review)}
    assert rows[(str(ID["org/nec"]), str(NEC))]["decision"] == "accept"
    assert rows[(str(ID["org/nec"]), str(EXHIBITION_CENTRE))]["decision"] == "reject"
    graph = Graph().parse(tmp_path / "links.ttl")
    assert set(graph.subject_objects(SCHEMA.sameAs)) == {(ID["org/nec"], NEC)}
    node = link_node(str(ID["org/nec"]))
    assert graph.value(node, RDF.object) == NEC and str(graph.value(node, KG.linkMethod)) == REVIEWED
    assert float(graph.value(node, KG.linkScore)) == float(rows[(str(ID["org/nec"]), str(NEC))]["score"])
    assert "NEC Corporation" in str(graph.value(node, KG.linkEvidence))
    assert result.accepted == 1 and result.suggested >= 5


def test_bad_decisions_are_errors_naming_the_row(tmp_path):
    review = tmp_path / "review.csv"
    header = "iri,candidate,decision\n"
    review.write_text(header + f"{ID['org/nec']},{NEC},yes\n", encoding="utf-8")
    with pytest.raises(DataSyntaxError) as raised:
        read_wikidata_decisions(review)
    assert raised.value.line == 2 and "decision" in raised.value.reason
    review.write_text(header + f"{ID['org/nec']},Q990000501,accept\n", encoding="utf-8")
    with pytest.raises(DataSyntaxError, match="candidate"):
        read_wikidata_decisions(review)
    review.write_text(header + f"{ID['org/nec']},{NEC},accept\n{ID['org/nec']},{EXHIBITION_CENTRE},accept\n",
                      encoding="utf-8")
    with pytest.raises(DataSyntaxError, match="second accepted") as raised:
        read_wikidata_decisions(review)
    assert raised.value.line == 3


@pytest.fixture(scope="module")
def store_with_nec(embedded_store: EmbeddedStore, endpoint: str, reviewed: Path,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of data/ whose Wikidata links come from the reviewed file, built into a fresh store."""
    folder = tmp_path_factory.mktemp("data-with-nec")
    data = folder / "data"
    shutil.copytree(REPO / "data", data, ignore=shutil.ignore_patterns("sources"))
    (data / "sources").symlink_to(REPO / "data" / "sources", target_is_directory=True)
    link_wikidata(embedded_store, None, reviewed, data / "links" / "wikidata.ttl")
    build(data, folder / "store")
    return folder / "store"


def test_nec_carries_its_reviewed_wikidata_link_in_the_built_store(store_with_nec):
    store = EmbeddedStore.open(store_with_nec)
    result = store.query(
        "SELECT ?org ?item ?method ?score WHERE { ?org schema:sameAs ?item . "
        "?link a kg:WikidataLink ; rdf:subject ?org ; rdf:object ?item ; kg:linkMethod ?method ; kg:linkScore ?score }",
        {"org": ID["org/nec"]})
    assert isinstance(result, Solutions)
    assert [(r["item"], str(r["method"])) for r in result.rows] == [(NEC, REVIEWED)]
    assert float(result.rows[0]["score"]) >= 0.75


# -- the committed links ------------------------------------------------------------------------------------


def test_committed_links_are_the_two_verified_countries_and_match_the_review_file(embedded_store, tmp_path):
    committed = Graph().parse(REPO / "data" / "links" / "wikidata.ttl")
    assert set(committed.subject_objects(SCHEMA.sameAs)) == {
        (ID["concept/jurisdiction/gb"], WD.Q145), (ID["concept/jurisdiction/jp"], WD.Q17)}
    again = link_wikidata(embedded_store, None, REPO / "data" / "review" / "wikidata-candidates.csv").links
    assert set(again) == set(committed)
    result = embedded_store.query(
        "SELECT ?triples WHERE { ?set a void:Linkset ; void:linkPredicate schema:sameAs ; void:triples ?triples }")
    assert isinstance(result, Solutions) and [int(r["triples"]) for r in result.rows] == [2]


def test_kg_link_asks_the_endpoint_and_fails_clearly_when_it_cannot(store_path, endpoint, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    review = tmp_path / "review.csv"
    base = [str(KG_SCRIPT), "link", "--no-incidents", "--store", str(store_path), "--wikidata-review", str(review)]
    done = subprocess.run([*base, "--wikidata-endpoint", endpoint, "--wikidata-links", str(tmp_path / "l.ttl")],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "suggested" in done.stderr and str(ID["org/nec"]) in review.read_text(encoding="utf-8")
    unreachable = f"http://127.0.0.1:{free_port()}/sparql"
    failed = subprocess.run([*base, "--wikidata-endpoint", unreachable], capture_output=True, text=True, env=env,
                            timeout=120, check=False)
    assert failed.returncode == 2
    assert f"the Wikidata endpoint {unreachable} could not be reached" in failed.stderr


# -- SERVICE examples ---------------------------------------------------------------------------------------


def test_service_examples_join_our_links_with_the_endpoint(embedded_store, store_with_nec, endpoint):
    countries = queries.example("wikidata-countries")
    assert countries.service == "wikidata" and "wikidata" in countries.params
    result = embedded_store.query(countries.text, {"wikidata": URIRef(endpoint)})
    assert isinstance(result, Solutions)
    assert {(r["jurisdiction"], str(r["iso_code"])) for r in result.rows} == {
        (ID["concept/jurisdiction/gb"], "GB"), (ID["concept/jurisdiction/jp"], "JP")}
    organisations = queries.example("wikidata-organisations")
    result = EmbeddedStore.open(store_with_nec).query(organisations.text, {"wikidata": URIRef(endpoint)})
    assert isinstance(result, Solutions)
    assert [(str(r["name"]), str(r["country"]), str(r["headquarters"]), str(r["founded"])) for r in result.rows] == [
        ("NEC", "Japan", "Tokyo", "1899-07-17")]


def test_service_examples_run_on_a_server_that_allows_the_endpoint_and_are_refused_otherwise(
        store_with_nec, endpoint, tmp_path):
    example = queries.example("wikidata-organisations")
    allowed, server = start_server(store_with_nec, tmp_path / "allowed.log", service_allow=json.dumps([endpoint]),
                                   wikidata_endpoint=endpoint)
    try:
        response = httpx.post(server.endpoint, data={"query": example.text}, timeout=60,
                              headers={"Accept": "application/sparql-results+json"})
        assert response.status_code == 200, response.text
        rows = response.json()["results"]["bindings"]
        assert [(r["name"]["value"], r["headquarters"]["value"], r["wikidata"]["value"]) for r in rows] == [
            ("NEC", "Tokyo", endpoint)]
    finally:
        stop_server(allowed)
    refusing, server = start_server(store_with_nec, tmp_path / "refusing.log", wikidata_endpoint=endpoint)
    try:
        response = httpx.post(server.endpoint, data={"query": example.text}, timeout=60)
        assert response.status_code == 400 and endpoint in response.text
    finally:
        stop_server(refusing)
