"""Organisations: one node per real organisation, merged only through the alias table, near misses listed."""

from __future__ import annotations

import csv
from pathlib import Path

from kg.build import BuildResult
from kg.ingest.organisations import is_collective
from kg.ingest.review import to_csv
from kg.namespaces import ID, KG
from kg.store import EmbeddedStore, Solutions

DATA = Path(__file__).resolve().parents[1] / "data"
MANY_LABELS = """SELECT ?kind ?node (COUNT(DISTINCT ?label) AS ?n) WHERE { ?node a ?kind ; rdfs:label ?label }
GROUP BY ?kind ?node HAVING (COUNT(DISTINCT ?label) > 1)"""
NAMES = "SELECT ?node ?p ?name WHERE { ?node ?p ?name }"


def rows(store: EmbeddedStore, query: str, **bindings: object) -> list[dict[str, str]]:
    result = store.query(query, bindings)  # type: ignore[arg-type]
    assert isinstance(result, Solutions)
    return [{k: str(v) for k, v in row.items()} for row in result.rows]


def test_every_agent_has_one_label(store: EmbeddedStore) -> None:
    for kind in ("Organisation", "Group", "Person"):
        assert rows(store, MANY_LABELS, kind=getattr(KG, kind)) == []


def test_curated_met_is_reused_with_its_other_names(store: EmbeddedStore) -> None:
    met = ID["org/metropolitan-police-service"]
    names = {
        (r["p"].rsplit("#", 1)[-1], r["name"])
        for r in rows(store, NAMES, node=met)
        if r["p"].endswith(("#label", "#altLabel", "#hiddenLabel"))
    }
    assert ("label", "Metropolitan Police Service") in names
    assert {
        ("altLabel", "Metropolitan Police Service (MPS)"),
        ("hiddenLabel", "metropolitan-police"),
        ("hiddenLabel", "metropolitan-police-service"),
    } <= names
    for stray in ("metropolitan-police", "metropolitan-police-service-mps"):
        assert rows(store, NAMES, node=ID[f"org/{stray}"]) == [], stray


def test_alias_table_organisations_carry_the_table_label_and_evidence(store: EmbeddedStore) -> None:
    with (DATA / "organisations" / "aliases.csv").open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    for row in table:
        found = rows(store, NAMES, node=ID[f"org/{row['organisation']}"])
        assert {r["name"] for r in found if r["p"].endswith("#label")} == {row["label"]}
        notes = {r["name"] for r in found if r["p"].endswith("#editorialNote")}
        assert any(row["evidence"] in note for note in notes), row


def test_near_misses_are_listed_not_merged(built: BuildResult, store: EmbeddedStore) -> None:
    pairs = {(c.key_a, c.key_b) for c in built.review}
    assert ("meta", "meta-platforms") in pairs and ("open-ai", "openai") in pairs
    for key in ("meta", "meta-platforms", "open-ai", "openai"):
        assert rows(store, NAMES, node=ID[f"org/{key}"]), key


def test_review_file_is_current(built: BuildResult) -> None:
    """data/review/organisation-candidates.csv is what the data gives now (regenerate with kg build --review-out)."""
    assert (DATA / "review" / "organisation-candidates.csv").read_text(encoding="utf-8") == to_csv(list(built.review))


def test_collective_names_are_groups() -> None:
    assert is_collective("unknown-deepfake-creators") and is_collective("tesla-drivers")
    assert not is_collective("meta-platforms") and not is_collective("south-wales-police")


MET_INCIDENTS = """SELECT DISTINCT ?met ?notation WHERE {
  ?involvement kg:agent ?met ; kg:involvedIn ?target .
  { ?incident kg:involvesSystem ?target } UNION { ?target a kg:Incident . BIND(?target AS ?incident) }
  ?incident skos:notation ?notation }"""
DEPLOYED_BY = "SELECT ?agent ?system WHERE { ?system airo:isDeployedBy ?agent }"


def test_an_acronym_alias_matches_only_itself(store: EmbeddedStore) -> None:
    """AIAAIC0630's Italian insurer "Mps" is not London's Metropolitan Police Service (alias "MPS")."""
    met, mps = ID["org/metropolitan-police-service"], ID["org/mps"]
    assert "AIAAIC0630" not in {r["notation"] for r in rows(store, MET_INCIDENTS, met=met)}
    assert "AIAAIC0630" in {r["notation"] for r in rows(store, MET_INCIDENTS, met=mps)}
    labels = {r["name"] for r in rows(store, NAMES, node=met) if r["p"].endswith(("#altLabel", "#hiddenLabel"))}
    assert "Mps" not in labels and "Metropolitan Police Service (MPS)" in labels
    deployed_by_met = {r["system"] for r in rows(store, DEPLOYED_BY, agent=met)}
    assert str(ID["system/AIAAIC0630"]) not in deployed_by_met and str(ID["system/AIAAIC0288"]) in deployed_by_met
    assert str(ID["system/AIAAIC0630"]) in {r["system"] for r in rows(store, DEPLOYED_BY, agent=mps)}


def test_near_collisions_are_listed_for_review(built: BuildResult) -> None:
    reasons = {(c.key_a, c.key_b): c.reason for c in built.review}
    assert "alias 'MPS'" in reasons[("metropolitan-police-service", "mps")]
    assert "initialism" in reasons[("dallas-police-department", "dpd")]


def test_same_slug_spellings_merge_only_by_alias_row() -> None:
    """Two spellings with one slug stay two nodes unless a row of the alias table (exact or casefold) joins them."""
    from kg.ingest.organisations import Alias, Agents
    from kg.ingest.triples import TripleSet

    graph = TripleSet(ID["graph"])
    plain = Agents()
    first, second = plain.agent(graph, "Acme Widgets"), plain.agent(graph, "ACME Widgets")
    assert first == ID["org/acme-widgets"] and second != first and str(second).startswith(str(first) + "-x")
    assert plain.near_collisions
    assert plain.agent(graph, "acme-widgets", from_slug=True) == first, "an AIID slug is the slug of its name"
    exact = Agents([Alias("acme-widgets", "Acme Widgets", "ACME Widgets", "test", 2)])
    assert exact.agent(graph, "ACME Widgets") == first and exact.agent(graph, "Acme widgets") != first
    folded = Agents([Alias("acme-widgets", "Acme Widgets", "ACME Widgets", "test", 2, casefold=True)])
    assert folded.agent(graph, "acme WIDGETS") == first
