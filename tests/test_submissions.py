"""The submissions library: reading bounded JSON with problems at their fields, a durable database (real SQLite,
real SIGKILL, a real full tmpfs), editors' password hashes, accepted submissions as validated data, backups."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mounts import tmpfs
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kg.errors import NotFound
from kg.namespaces import ID, KG
from kg.submissions.checking import check_against_store
from kg.submissions.database import StorageFull, SubmissionDatabase
from kg.submissions.model import InvalidSubmission, read_submission
from kg.submissions.passwords import WeakPassword, hash_password, verify_password
from kg.submissions.to_rdf import incident_iri, submission_graph

SOURCE = {"url": "https://example.org/news/1", "publisher": "Example News", "date": "2024-03-05"}
NEW_INCIDENT = {
    "kind": "incident", "title": "A police force trials live face recognition at a station", "when": "2024-03",
    "description": "Reported by a local paper.", "deployers": ["Metropolitan Police Service"], "developers": ["NEC"],
    "system": "NeoFace Live", "countries": ["GB"], "technologies": [str(ID["concept/technology/facial-recognition"])],
    "ethical_issues": [str(ID["concept/ethical-issue/privacy"])], "sources": [SOURCE],
}
CORRECTION = {
    "kind": "correction", "target": str(ID["incident/AIAAIC0288"]), "problem": "The page omits the trial's end date.",
    "proposed": "The trial ended in March 2018.", "sources": [SOURCE], "submitter": "A. Reader",
}


def problems(document: object) -> dict[str, str]:
    with pytest.raises(InvalidSubmission) as raised:
        read_submission(json.dumps(document) if not isinstance(document, (str, bytes)) else document)
    return {p.field: p.message for p in raised.value.problems}


# -- reading -----------------------------------------------------------------------------------------------------

def test_every_problem_is_named_at_its_field():
    found = problems({"kind": "incident", "when": "last spring", "sources": [{"url": "javascript:alert(1)",
                                                                              "date": "March"}]})
    assert set(found) == {"title", "when", "sources[0].url", "sources[0].date"}
    assert "http" in found["sources[0].url"]


@pytest.mark.parametrize(("document", "field"), [
    ('{"kind": "incident", "x": ' + "[" * 5000 + "]" * 5000 + "}", "(document)"),
    ({**NEW_INCIDENT, "title": "x" * 100_000}, "(document)"),
    ({**NEW_INCIDENT, "description": "x" * 20_000}, "description"),
    ({**NEW_INCIDENT, "sources": [SOURCE] * 2000}, "(document)"),
    ({**NEW_INCIDENT, "sources": [SOURCE] * 25}, "sources"),
    ({**NEW_INCIDENT, "title": "a\x00b"}, "title"),
    ({**NEW_INCIDENT, "deployers": ["ok"] * 50}, "deployers"),
])
def test_submission_bombs_are_refused_within_their_bound(document, field):
    started = time.perf_counter()
    assert field in problems(document)
    assert time.perf_counter() - started < 1


def test_intervals_and_precisions_are_read():
    for when in ("2019", "2019-08", "2019-08-14", "2018-05/2019-03", "2018/"):
        assert read_submission(json.dumps({**NEW_INCIDENT, "when": when})).when == when


# -- the database ------------------------------------------------------------------------------------------------

def test_submissions_flow_from_received_to_a_decision(tmp_path):
    db = SubmissionDatabase(tmp_path / "s.sqlite")
    stored = db.add(read_submission(json.dumps(NEW_INCIDENT)), "127.0.0.9")
    assert stored.state == "received" and stored.submitter.startswith("anonymous-") and "127.0.0.9" not in stored.submitter
    assert db.by_token(stored.token).submission.title == NEW_INCIDENT["title"]
    assert [s.id for s in db.queue(state="received")] == [stored.id]
    db.decide(stored.id, "editor-a", "under-review")
    decided = db.decide(stored.id, "editor-a", "rejected", note="No source says so.")
    assert (decided.state, decided.note, decided.editor) == ("rejected", "No source says so.", "editor-a")
    with pytest.raises(NotFound):
        db.decide(stored.id, "editor-a", "accepted")
    with pytest.raises(NotFound):
        db.by_token("no-such-token")


def test_export_then_import_restores_every_submission_and_its_history(tmp_path):
    db = SubmissionDatabase(tmp_path / "a.sqlite")
    first = db.add(read_submission(json.dumps(NEW_INCIDENT)), "127.0.0.2")
    db.add(read_submission(json.dumps(CORRECTION)), "127.0.0.3")
    db.decide(first.id, "ed", "accepted", note="checked")
    backup = io.StringIO()
    assert db.export(backup) == 2
    restored = SubmissionDatabase(tmp_path / "b.sqlite")
    assert restored.import_(io.StringIO(backup.getvalue())) == 2
    assert restored.import_(io.StringIO(backup.getvalue())) == 0  # idempotent
    again = io.StringIO()
    restored.export(again)
    strip = [{k: v for k, v in json.loads(line).items() if k != "id"} for line in backup.getvalue().splitlines()]
    assert [{k: v for k, v in json.loads(line).items() if k != "id"} for line in again.getvalue().splitlines()] == strip


WRITER = """
import json, sys
from kg.submissions.database import SubmissionDatabase
from kg.submissions.model import read_submission
db = SubmissionDatabase(__import__("pathlib").Path(sys.argv[1]))
submission = read_submission(sys.argv[2])
while True:
    stored = db.add(submission, "127.0.0.1")
    print(stored.token, flush=True)
"""


def test_a_killed_writer_loses_no_submission_that_got_a_receipt(tmp_path):
    path = tmp_path / "s.sqlite"
    SubmissionDatabase(path).close()
    receipts: list[str] = []
    rng = random.Random(7)
    for _ in range(5):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), json.dumps(NEW_INCIDENT)],
                                  stdout=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 20
        wanted = rng.randint(3, 15)
        got = 0
        while got < wanted and time.monotonic() < deadline:
            line = writer.stdout.readline()  # type: ignore[union-attr]
            if line:
                receipts.append(line.strip())
                got += 1
        time.sleep(rng.random() / 50)
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
        receipts.extend(line.strip() for line in writer.stdout if line.strip())  # type: ignore[union-attr]
    db = SubmissionDatabase(path)
    assert len(receipts) >= 15
    for token in receipts:
        assert db.by_token(token).state == "received"


@pytest.fixture
def tiny_disk(tmp_path: Path):
    with tmpfs(tmp_path / "tiny-disk", "512k") as mount:
        yield mount


def test_a_full_disk_refuses_new_submissions_and_keeps_the_acknowledged_ones(tiny_disk):
    db = SubmissionDatabase(tiny_disk / "s.sqlite")
    big = read_submission(json.dumps({**NEW_INCIDENT, "description": "x" * 9_000}))
    acknowledged = []
    with pytest.raises(StorageFull, match="no space left"):
        for _ in range(1_000):
            acknowledged.append(db.add(big, "127.0.0.1").token)
    assert acknowledged
    db.close()
    reopened = SubmissionDatabase(tiny_disk / "s.sqlite")
    assert all(reopened.by_token(token).state == "received" for token in acknowledged)


# -- editors -----------------------------------------------------------------------------------------------------

def test_passwords_are_salted_scrypt_hashes_and_short_ones_are_refused():
    one, two = hash_password("a long enough passphrase"), hash_password("a long enough passphrase")
    assert one != two and one.startswith("scrypt$") and "passphrase" not in one
    assert verify_password("a long enough passphrase", one) and not verify_password("a long enough passphrasE", one)
    assert not verify_password("x", "not a hash")
    with pytest.raises(WeakPassword):
        hash_password("short")


def test_kg_editors_add_stores_a_hash_the_library_verifies(tmp_path):
    kg = Path(sys.executable).with_name("kg")
    done = subprocess.run([str(kg), "editors", "add", "ada", "--password-stdin", "--store", str(tmp_path)],
                          input="a long enough passphrase\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    stored = SubmissionDatabase(tmp_path / "submissions.sqlite").editor_hash("ada")
    assert stored and verify_password("a long enough passphrase", stored)
    weak = subprocess.run([str(kg), "editors", "add", "bob", "--password-stdin", "--store", str(tmp_path)],
                          input="short\n", capture_output=True, text=True, timeout=60)
    assert weak.returncode == 2 and "at least 12 characters" in weak.stderr


# -- accepted submissions as data ------------------------------------------------------------------------------

@pytest.mark.slow
def test_an_accepted_incident_and_correction_validate_against_the_graph(tmp_path, embedded_store):
    db = SubmissionDatabase(tmp_path / "s.sqlite")
    incident = db.decide(db.add(read_submission(json.dumps(NEW_INCIDENT)), "127.0.0.1").id, "ed", "accepted")
    correction = db.decide(db.add(read_submission(json.dumps(CORRECTION)), "127.0.0.1").id, "ed", "accepted")
    statements = submission_graph(incident)
    assert (incident_iri(incident.id), RDF.type, KG.Incident) in statements
    report = check_against_store(statements, embedded_store)
    assert report.conforms, report.results
    claim = submission_graph(correction)
    claims = list(claim.subjects(RDF.type, KG.Claim))
    assert len(claims) == 1 and claim.value(claims[0], KG.claimAbout) == ID["incident/AIAAIC0288"]
    assert (claims[0], KG.stance, ID["concept/stance/correction"]) in claim
    assert check_against_store(claim, embedded_store).conforms
    wrong = db.decide(db.add(read_submission(json.dumps({**NEW_INCIDENT, "technologies": [
        str(ID["concept/ethical-issue/privacy"])]})), "127.0.0.1").id, "ed", "accepted")
    broken = check_against_store(submission_graph(wrong), embedded_store)
    assert not broken.conforms
    assert any("technology" in (v.path or "") for v in broken.results), broken.results
    assert Literal(NEW_INCIDENT["title"], lang="en") in set(statements.objects(URIRef(incident_iri(incident.id))))
