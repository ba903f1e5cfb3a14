"""Incident linking across AIAAIC, AIID and OECD: the labelled sample, the hard cases, the committed links, kg link."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, VOID

from kg import queries
from kg.errors import DataSyntaxError
from kg.link.candidates import Candidate, find_candidates
from kg.link.duplicates import aiaaic_duplicates
from kg.link.embeddings import Vectors, record_vectors
from kg.link.evaluation import read_held_out, read_labels, score, score_held_out
from kg.link.links import DATASETS, METHOD, REVIEWED, link_node
from kg.link.model import LinkModel, Logistic
from kg.link.records import IncidentRecord, database_of, read_records
from kg.link.review import read_decisions
from kg.link.sampling import draw_sample
from kg.link.scoring import countries
from kg.link.training import labelled_pairs
from kg.namespaces import ID, KG
from kg.store import EmbeddedStore, Solutions

DATA = Path(__file__).resolve().parents[1] / "data"
SAMPLES = DATA / "links" / "samples"
LABELS = SAMPLES / "labelled-pairs.csv"
HELD_OUT = SAMPLES / "held-out.csv"
BLIND_A = SAMPLES / "blind-2026-12-02-a.csv"
BLIND_B = SAMPLES / "blind-2026-12-02-b.csv"
BLIND_C = SAMPLES / "blind-2026-12-02-c.csv"
BLIND_D = SAMPLES / "blind-2026-12-04-d.csv"
BLIND_E = SAMPLES / "blind-2026-12-04-e.csv"
BLIND_F = SAMPLES / "blind-2026-12-04-f.csv"
MODEL = DATA / "links" / "incident-model.json"
EMBEDDINGS = DATA / "links" / "incident-embeddings.npz"
REVIEW = DATA / "review" / "incident-candidates.csv"
KG_SCRIPT = Path(sys.executable).with_name("kg")


@pytest.fixture(scope="module")
def records(embedded_store: EmbeddedStore) -> dict[URIRef, IncidentRecord]:
    """From the embedded store, which ``kg link`` reads (Virtuoso answers link-incidents.rq with other deployers)."""
    return read_records(embedded_store)


@pytest.fixture(scope="module")
def vectors(records, tmp_path_factory) -> Vectors:
    """The committed sentence embeddings (a copy, so that nothing here rewrites data/links)."""
    cache = tmp_path_factory.mktemp("embeddings") / "incident-embeddings.npz"
    shutil.copy(EMBEDDINGS, cache)
    return record_vectors(list(records.values()), cache)


@pytest.fixture(scope="module")
def model() -> LinkModel:
    return LinkModel.read(MODEL)


@pytest.fixture(scope="module")
def candidates(records, model, vectors) -> list[Candidate]:
    """Every pair the linker scored, however low (the review file shows only those above REVIEW_SCORE)."""
    return find_candidates(records, model, vectors, minimum=0.0)


@pytest.fixture(scope="module")
def by_pair(candidates: list[Candidate]) -> dict[tuple[str, str], Candidate]:
    return {(c.left.key, c.right.key): c for c in candidates}


def test_exact_matches_are_precise_and_find_most_twins_on_the_labelled_pairs(candidates):
    scores = score(candidates, read_labels(LABELS))
    assert len(scores.true_positives) >= 40
    assert scores.precision >= 0.95, f"wrong exactMatch links: {scores.false_positives}"
    assert scores.recall >= 0.6, f"missed: {scores.false_negatives}"


def test_sources_that_disagree_on_the_developer_still_describe_one_event(by_pair):
    twins = by_pair[("AIAAIC1513", "AIID-391")]
    assert twins.predicate == SKOS.exactMatch
    assert twins.evidence.developer_conflict  # Facewatch in AIAAIC, Hikvision in AIID
    system_page = by_pair[("AIAAIC0370", "AIID-391")]  # AIAAIC's undated page about the system
    assert system_page.evidence.text >= twins.evidence.text - 0.05  # as alike in words ...
    assert system_page.score < twins.score and system_page.predicate is None  # ... but not dated: not the event


# Met Police, South Wales Police and Thames Valley Police: system pages, trials and misidentifications.
UK_POLICE_FACE_RECOGNITION = [
    ("AIAAIC0262", "AIID-310"), ("AIAAIC0261", "AIID-309"), ("AIAAIC1510", "AIID-309"), ("AIAAIC1510", "AIID-310"),
    ("AIAAIC1510", "AIID-1305"), ("AIAAIC2224", "AIID-692"), ("AIAAIC0262", "AIID-692"), ("AIAAIC0262", "AIID-309"),
    ("AIAAIC0261", "AIID-310"), ("AIAAIC0262", "AIID-1305"),
]


def test_different_police_face_recognition_deployments_are_not_merged(by_pair):
    labels = {(p.left, p.right): p.label for p in read_labels(LABELS)}
    assert all(labels[pair] in ("related", "different") for pair in UK_POLICE_FACE_RECOGNITION)
    scored = [pair for pair in UK_POLICE_FACE_RECOGNITION if pair in by_pair]
    assert len(scored) >= 6  # most were scored (AIID-310 names South Wales Police only in its description)
    assert [pair for pair in scored if by_pair[pair].predicate is not None] == []


def test_each_record_has_at_most_one_twin_in_each_database_before_it(candidates, model):
    exact = [c for c in candidates if c.predicate is not None]
    assert exact and all(c.probability >= model.mutual for c in exact)
    right_sides = Counter((c.right.key, c.left.database) for c in exact)
    assert max(right_sides.values()) == 1
    best = {}
    for c in candidates:
        side = (c.right.key, c.left.database)
        best[side] = max(best.get(side, 0.0), c.probability)
    assert all(c.probability == best[(c.right.key, c.left.database)] for c in exact)


def test_several_records_of_one_database_may_be_twins_of_one_record(candidates, model):
    """Many-to-one: AIID records one event several times, so an AIAAIC record may have several AIID twins."""
    best: dict[tuple[str, str], float] = {}
    for c in candidates:
        side = (c.right.key, c.left.database)
        best[side] = max(best.get(side, 0.0), c.probability)
    kept = [c for c in candidates if c.right.database == "AIID" and c.probability >= model.threshold
            and c.probability == best[(c.right.key, c.left.database)]]
    assert kept
    assert all(c.predicate is not None for c in kept), "a record was kept to one twin in a database that has several"


def test_the_held_out_samples_are_precise_and_apart_from_the_labelled_pairs(candidates):
    """The randomly drawn samples, pooled (each is small: one link moves its precision by 0.1 or more)."""
    labelled = {key for pair in read_labels(LABELS) for key in (pair.left, pair.right)}
    right = wrong = missed = 0
    for path in (HELD_OUT, BLIND_A, BLIND_B, BLIND_C, BLIND_D, BLIND_E):
        sample = read_held_out(path)
        assert len(sample) >= 20 and sum(len(record.twins) for record in sample) >= 6
        assert not {record.key for record in sample} & labelled  # records drawn at random, not from the candidates
        scores = score_held_out(candidates, sample)
        assert scores.true_positives, path.name
        right, wrong = right + len(scores.true_positives), wrong + len(scores.false_positives)
        missed += len(scores.false_negatives)
    assert right / (right + wrong) >= 0.95, f"{wrong} wrong exactMatch links of {right + wrong}"
    assert right / (right + missed) >= 0.5, f"{missed} twins missed of {right + missed}"


def test_the_blind_sample_keeps_the_documented_precision_and_recall(candidates):
    """Sample F, drawn and judged blind while kg link v5 was frozen and never trained or fitted on: README and
    docs/linking.md give precision 1.0 and recall 0.72 (13 of 18 twins); the issue's target is 0.95 and 0.6."""
    scores = score_held_out(candidates, read_held_out(BLIND_F))
    assert len(scores.true_positives) + len(scores.false_negatives) == 18
    assert scores.precision >= 0.95, f"wrong exactMatch links: {scores.false_positives}"
    assert scores.recall >= 0.6, f"missed: {scores.false_negatives}"


def test_a_low_scoring_pair_is_linked_only_as_each_records_best_aiid_aiaaic_candidate(candidates, model):
    """Below the threshold, only mutual best AIAAIC-AIID pairs at or above the mutual threshold are linked."""
    best: dict[tuple[str, str], float] = {}
    for c in candidates:
        for side in ((c.right.key, c.left.database), (c.left.key, c.right.database)):
            best[side] = max(best.get(side, 0.0), c.probability)
    low = [c for c in candidates if c.predicate is not None and c.probability < model.threshold]
    assert low, "the mutual threshold links nothing"
    for c in low:
        assert (c.left.database, c.right.database) == ("AIAAIC", "AIID") and c.probability >= model.mutual
        assert c.probability == best[(c.left.key, "AIID")] == best[(c.right.key, "AIAAIC")]
    mutual = [c for c in candidates if (c.left.database, c.right.database) == ("AIAAIC", "AIID")
              and model.mutual <= c.probability == best[(c.left.key, "AIID")] == best[(c.right.key, "AIAAIC")]]
    assert all(c.predicate is not None for c in mutual)


def test_the_blind_sample_is_the_documented_draw(records):
    """Sample A is what docs/linking.md says: seed 20261202, 45 AIAAIC and 45 AIID records, none labelled before."""
    labels, _ = labelled_pairs([LABELS, HELD_OUT], REVIEW)
    with HELD_OUT.open(encoding="utf-8", newline="") as handle:  # twins found after sample A was drawn (a row
        # that said "none" then, so neither key was labelled)
        corrected = {key for row in csv.DictReader(handle) if "Corrected" in row["note"]
                     for key in (row["sampled"], row["other"])}
    drawn = draw_sample(records.values(), 20261202, 45, {key for pair in labels for key in pair} - corrected)
    sampled = [record.key for record in read_held_out(BLIND_A)]
    assert sorted(drawn) == sorted(set(sampled)) and len(drawn) == 90
    with BLIND_A.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["note"] and row["judged_by"] for row in rows)


# Samples drawn after a method was frozen (data/links/samples/README.md): the file, its seed, records per database,
# and the files whose keys the draw left out (with the review file's decisions).
LATER_DRAWS = {
    "C (v3 blind)": (BLIND_C, 20261204, 12, [LABELS, HELD_OUT, BLIND_A, BLIND_B]),
    "D (v4 blind)": (BLIND_D, 20261205, 15, [LABELS, HELD_OUT, BLIND_A, BLIND_B, BLIND_C]),
    "E (v4 blind)": (BLIND_E, 20261206, 25, [LABELS, HELD_OUT, BLIND_A, BLIND_B, BLIND_C, BLIND_D]),
    "F (v5 blind)": (BLIND_F, 20261207, 30, [LABELS, HELD_OUT, BLIND_A, BLIND_B, BLIND_C, BLIND_D, BLIND_E]),
}


@pytest.mark.parametrize("name", LATER_DRAWS)
def test_later_samples_are_the_documented_draws(records, name):
    """Each is what data/links/samples/README.md says: its seed, so many AIAAIC then AIID records, none a key of
    the earlier samples, the labelled pairs or the review file's decisions; every record judged, every row explained."""
    path, seed, per_database, earlier = LATER_DRAWS[name]
    labels, sampled = labelled_pairs(earlier, REVIEW)
    exclude = {key for pair in labels for key in pair} | {record.key for record in sampled}
    drawn = draw_sample(records.values(), seed, per_database, exclude)
    assert [record.key for record in read_held_out(path)] == drawn and len(drawn) == 2 * per_database
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert all(row["note"] and row["judged_by"] for row in rows)
    keys = {record.key for record in records.values()}
    assert all(row["other"] in keys if row["label"] != "none" else row["other"] in ("AIAAIC", "AIID") for row in rows)


def test_aiaaic_near_duplicates_are_proposed_for_review(records, model, vectors):
    proposed = {(row["left"], row["right"]) for row in aiaaic_duplicates(records, model, vectors)}
    assert {("AIAAIC0087", "AIAAIC1650"), ("AIAAIC0974", "AIAAIC2015")} <= proposed


def test_logistic_regression_recovers_the_weights_data_were_drawn_from():
    import math
    import random
    rng = random.Random(7)
    true = (-1.0, 2.5, -1.5)
    rows, labels = [], []
    for _ in range(3000):
        x = [rng.random(), rng.random()]
        p = 1 / (1 + math.exp(-(true[0] + true[1] * x[0] + true[2] * x[1])))
        rows.append(x)
        labels.append(int(rng.random() < p))
    fitted = Logistic.fit(("a", "b"), rows, labels, [1.0] * len(rows), penalty=0.0)
    assert all(abs(w - t) < 0.4 for w, t in zip(fitted.weights, true, strict=True)), fitted.weights


def test_a_model_with_other_features_is_refused(tmp_path):
    bad = tmp_path / "model.json"
    bad.write_text(MODEL.read_text(encoding="utf-8").replace('"text"', '"texts"'), encoding="utf-8")
    with pytest.raises(DataSyntaxError) as raised:
        LinkModel.read(bad)
    assert "features" in raised.value.reason and raised.value.path == bad


def test_a_subdivision_agrees_with_its_country():
    assert countries({str(ID["concept/jurisdiction/gb-sct"]), str(ID["concept/jurisdiction/global"])}) == {"gb"}
    assert countries({str(ID["concept/jurisdiction/european-union"])}) == set()


def test_a_scottish_record_is_not_in_conflict_with_a_british_one(by_pair):
    referee = by_pair[("AIAAIC0397", "AIID-80")]  # AIAAIC says Scotland, AIID the United Kingdom
    assert not referee.evidence.place_conflict and referee.predicate == SKOS.exactMatch


def test_an_aiaaic_incident_reaches_its_aiid_twin_and_back(store):
    example = queries.example("same-incident-elsewhere")
    for here, there in (("AIAAIC1513", "AIID-391"), ("AIID-391", "AIAAIC1513")):
        result = store.query(example.text, {"incident": ID[f"incident/{here}"]})
        assert isinstance(result, Solutions)
        rows = [r for r in result.rows if r["other"] == ID[f"incident/{there}"]]
        assert len(rows) == 1 and rows[0]["predicate"] == SKOS.exactMatch
        assert str(rows[0]["method"]) in (METHOD, REVIEWED) and float(rows[0]["score"]) > 0.6
        assert "southern-co-op" in str(rows[0]["evidence"])


def test_every_described_link_is_also_stated(store):
    result = store.query(queries.load("incident-links"))
    assert isinstance(result, Solutions) and len(result.rows) >= 50
    stated = store.query(
        "SELECT ?s ?p ?o WHERE { VALUES ?p { skos:exactMatch skos:closeMatch skos:relatedMatch } ?s ?p ?o }")
    assert isinstance(stated, Solutions)
    triples = {(r["s"], r["p"], r["o"]) for r in stated.rows}
    assert {(r["subject"], r["predicate"], r["object"]) for r in result.rows} <= triples
    assert not any(r["predicate"] == URIRef("http://www.w3.org/2002/07/owl#sameAs") for r in result.rows)


def test_linksets_count_the_links_they_describe(store):
    links = store.query(queries.load("incident-links"))
    linksets = store.query(queries.load("linksets"))
    assert isinstance(links, Solutions) and isinstance(linksets, Solutions)
    counted = Counter(
        (database_of(str(r["subject"])), database_of(str(r["object"])), r["predicate"]) for r in links.rows)
    database = {graph: name for name, graph in DATASETS.items()}
    between_databases = [r for r in linksets.rows if r["subjects"] in database and r["objects"] in database]
    declared = {(database[r["subjects"]], database[r["objects"]], r["predicate"]): int(r["triples"])
                for r in between_databases}
    assert len(declared) == len(between_databases) and declared == dict(counted)


def test_a_bad_decision_is_reported_with_its_row(tmp_path):
    review = tmp_path / "review.csv"
    review.write_text("left,right,decision\nAIAAIC1513,AIID-391,exact\nAIAAIC0370,AIID-391,maybe\n", encoding="utf-8")
    with pytest.raises(DataSyntaxError) as raised:
        read_decisions(review)
    assert raised.value.line == 3 and "decision" in raised.value.reason


def test_kg_link_writes_the_review_file_and_keeps_decisions(store_path, tmp_path):
    review, links = tmp_path / "review.csv", tmp_path / "links.ttl"
    review.write_text("left,right,decision,note\nAIAAIC0540,AIID-139,close,two different audits\n"
                      "AIAAIC0262,AIID-309,related,system page and one deployment\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    command = [str(KG_SCRIPT), "link", "--store", str(store_path), "--out", str(review), "--links", str(links),
               "--duplicates", str(tmp_path / "duplicates.csv")]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with review.open(encoding="utf-8", newline="") as handle:
        rows = {(r["left"], r["right"]): r for r in csv.DictReader(handle)}
    assert rows[("AIAAIC0540", "AIID-139")]["decision"] == "close"
    assert rows[("AIAAIC0262", "AIID-309")]["decision"] == "related"
    assert ("AIAAIC1513", "AIID-391") not in rows  # proposed with confidence: not for review
    # Airbnb's trust scoring: AIAAIC's 2022 report page meets AIID's record of the algorithm (a 2017 event), which
    # v5 links to AIAAIC's undated system page instead: for review
    assert rows[("AIAAIC1645", "AIID-183")]["decision"] == ""
    assert rows[("AIAAIC1645", "AIID-183")]["proposed"] == "relatedMatch?"  # same deployer, maybe not the event
    assert (tmp_path / "duplicates.csv").read_text(encoding="utf-8").count("\n") > 10
    graph = Graph().parse(links)
    first, second = ID["incident/AIAAIC0540"], ID["incident/AIID-139"]
    assert (first, SKOS.closeMatch, second) in graph and (first, SKOS.exactMatch, second) not in graph
    assert graph.value(link_node("AIAAIC0540", "AIID-139"), KG.linkMethod) == Literal(REVIEWED)
    assert (ID["incident/AIAAIC1513"], SKOS.exactMatch, ID["incident/AIID-391"]) in graph
    assert (link_node("AIAAIC1513", "AIID-391"), RDF.type, KG.IncidentLink) in graph


CROSSWALKS = Path(__file__).resolve().parents[1] / "data" / "links" / "crosswalks.ttl"
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)


def test_crosswalks_join_concepts_the_graph_holds_and_say_why(store):
    crosswalks = Graph().parse(CROSSWALKS)
    mappings = [(s, p, o) for p in MAPPINGS for s, o in crosswalks.subject_objects(p)]
    assert len(mappings) >= 30
    concepts = store.query("SELECT ?c WHERE { ?c a skos:Concept }")
    assert isinstance(concepts, Solutions)
    known = {r["c"] for r in concepts.rows}
    for subject, predicate, target in mappings:
        assert subject in known, subject
        assert target in known or not str(target).startswith(str(ID)), target
        notes = [str(n) for n in crosswalks.objects(subject, SKOS.editorialNote)]
        assert any(crosswalks.qname(target) in n and crosswalks.qname(predicate) in n for n in notes), (subject, target)
    linksets = {(crosswalks.value(ls, VOID.linkPredicate), crosswalks.value(ls, VOID.objectsTarget)):
                int(crosswalks.value(ls, VOID.triples)) for ls in crosswalks.subjects(RDF.type, VOID.Linkset)}
    assert sum(linksets.values()) == len(mappings)


def test_the_crosswalk_example_compares_counts_across_databases(store):
    result = store.query(queries.example("issues-across-databases").text)
    assert isinstance(result, Solutions)
    rows = {str(r["domain"]): r for r in result.rows}
    privacy = rows["Compromise of privacy by obtaining, leaking or correctly inferring sensitive information"]
    assert int(privacy["aiidIncidents"]) > 0 and int(privacy["aiaaicIncidents"]) > 0
    assert "Privacy" in str(privacy["aiaaicTerms"])
