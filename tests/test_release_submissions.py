"""Accepted submissions reach the next release: a real ``kg build`` and ``kg release`` before and after an editor
accepts a new incident, a correction to an incident and corrections to an organisation's and a concept's pages,
on a copy of the curated data. The dumps hold each in its own graph, the changelog names the new incident and the
corrected one, a feed built from that changelog lists the new incident, and the build's search index finds it."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from kg.describe import describe
from kg.feeds import ATOM, atom_feed, read_changelog
from kg.namespaces import GRAPH, ID, KG
from kg.search import SearchRequest, index_of, search
from kg.store import CURRENT, EmbeddedStore
from kg.submissions.database import SubmissionDatabase
from kg.submissions.model import read_submission
from kg.summary import summarise

KG_COMMAND = Path(sys.executable).with_name("kg")
KINGS_CROSS = ID["incident/AIAAIC0288"]
SOURCE = {"url": "https://example.org/news/7", "publisher": "Example News", "date": "2024-05-02"}
TITLE = "Tram operator pilots gait recognition on platforms"
WORD = "gait"


@dataclass(frozen=True)
class Released:
    store: Path
    releases: Path
    incident: URIRef
    organisation: URIRef
    concept: URIRef
    numbers: dict[str, int]


def kg(*args: str, **env: str) -> str:
    done = subprocess.run([str(KG_COMMAND), *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def first_of(path: Path, kind: URIRef, scheme: URIRef | None = None) -> URIRef:
    """The first (by IRI) node of ``kind`` in a raw curated file, in ``scheme`` when given."""
    graph = Graph().parse(path)
    found = sorted(s for s in graph.subjects(RDF.type, kind)
                   if isinstance(s, URIRef) and (scheme is None or (s, SKOS.inScheme, scheme) in graph))
    assert found, f"no {kind} in {path}"
    return found[0]


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Released:
    root = tmp_path_factory.mktemp("release-submissions")
    shutil.copytree(data_dir / "curated", root / "data" / "curated")
    store, releases, database = root / "store", root / "releases", root / "submissions.sqlite"
    env = {"KG_SUBMISSIONS_DB": str(database)}
    kg("build", "--data", str(root / "data"), "--store", str(store), **env)
    kg("release", "--store", str(store), "--out", str(releases), "--version", "2026-01-01")

    concepts, organisations = data_dir / "curated" / "concepts.ttl", data_dir / "curated" / "organisations.ttl"
    technology = first_of(concepts, SKOS.Concept, KG.technologies)
    organisation = first_of(organisations, KG.Organisation)
    concept = first_of(concepts, SKOS.Concept, KG.ethicalIssues)
    documents = {
        "incident": {"kind": "incident", "title": TITLE, "when": "2024-04", "technologies": [str(technology)],
                     "deployers": ["A Tram Operator"], "sources": [SOURCE]},
        "correction": {"kind": "correction", "target": str(KINGS_CROSS), "sources": [SOURCE],
                       "problem": "The page omits when the cameras were switched off.", "proposed": "March 2018."},
        "organisation": {"kind": "correction", "target": str(organisation), "sources": [SOURCE],
                         "problem": "This organisation changed its name in 2020.", "submitter": "A. Reader"},
        "concept": {"kind": "correction", "target": str(concept), "sources": [SOURCE],
                    "problem": "The definition leaves out data about bystanders."},
    }
    db = SubmissionDatabase(database)
    numbers = {}
    for name, document in documents.items():
        stored = db.add(read_submission(json.dumps(document)), "127.0.0.1")
        numbers[name] = db.decide(stored.id, "ada", "accepted", note="checked").id
    db.close()
    kg("build", "--data", str(root / "data"), "--store", str(store), **env)
    kg("release", "--store", str(store), "--out", str(releases), "--version", "2026-02-01")
    return Released(store, releases, ID[f"incident/KG-{numbers['incident']:04d}"], organisation, concept, numbers)


def dump(released: Released, name: str) -> bytes:
    return gzip.decompress((released.releases / "2026-02-01" / name).read_bytes())


def test_the_next_release_dumps_each_accepted_submission_in_its_own_graph(released: Released) -> None:
    merged = Graph().parse(data=dump(released, "ai-incidents.nt.gz"), format="nt")
    assert (released.incident, DCTERMS.title, Literal(TITLE, lang="en")) in merged
    quads = Dataset().parse(data=dump(released, "ai-incidents.nq.gz"), format="nquads")
    graph = quads.graph(GRAPH[f"submissions/{released.numbers['incident']}"])
    assert (released.incident, RDF.type, KG.Incident) in graph
    correction = quads.graph(GRAPH[f"submissions/{released.numbers['correction']}"])
    assert [s for s in correction.subjects(KG.claimAbout, KINGS_CROSS)] == [ID[f"claim/submission-{released.numbers['correction']}"]]
    earlier = Graph().parse(data=gzip.decompress((released.releases / "2026-01-01" / "ai-incidents.nt.gz").read_bytes()),
                            format="nt")
    assert (released.incident, None, None) not in earlier


def test_the_changelog_names_the_new_incident_and_the_corrected_one(released: Released) -> None:
    text = (released.releases / "2026-02-01" / "CHANGELOG.md").read_text(encoding="utf-8")
    new_part, _, changed_part = text.partition("Changed incidents")
    assert f"- <{released.incident}>" in new_part.partition("New incidents")[2]
    assert f"- <{KINGS_CROSS}>" in changed_part and f"<{KINGS_CROSS}>" not in new_part
    changes = read_changelog(text)
    assert (changes.version, changes.previous) == ("2026-02-01", "2026-01-01")
    assert set(changes.incidents) == {str(released.incident), str(KINGS_CROSS)}  # nothing else changed


def test_a_feed_built_from_the_changelog_lists_the_accepted_incident(released: Released) -> None:
    changes = read_changelog((released.releases / "2026-02-01" / "CHANGELOG.md").read_text(encoding="utf-8"))
    feed = ET.fromstring(atom_feed(EmbeddedStore.open(released.store), changes, self_url="http://localhost/feed.atom",
                                   site_url="http://localhost/", updated=datetime.now(UTC)))
    entries = {e.find(f"{{{ATOM}}}link").get("href"): e.find(f"{{{ATOM}}}title").text  # type: ignore[union-attr]
               for e in feed.iter(f"{{{ATOM}}}entry")}
    assert TITLE in entries[str(released.incident)]
    assert str(KINGS_CROSS) in entries


def test_the_new_builds_search_index_finds_the_accepted_incident_by_a_word_of_its_title(released: Released) -> None:
    found = search(index_of((released.store / CURRENT).resolve()), SearchRequest(WORD))
    assert str(released.incident) in [hit.iri for hit in found.hits]


@pytest.mark.parametrize("page", ["organisation", "concept"])
def test_a_correction_to_an_organisation_or_concept_page_is_a_claim_shown_on_that_page(released: Released, page: str,
                                                                                       data_dir: Path) -> None:
    target = released.organisation if page == "organisation" else released.concept
    number = released.numbers[page]
    store = EmbeddedStore.open(released.store)
    claim = ID[f"claim/submission-{number}"]
    ask = f"ASK {{ GRAPH <{GRAPH[f'submissions/{number}']}> {{ <{claim}> a <{KG.Claim}> ; <{KG.claimConcerns}> <{target}> ; " \
          f"<{KG.stance}> <{ID['concept/stance/correction']}> }} }}"
    assert store.query(ask).value  # type: ignore[union-attr]
    summary = summarise(describe(store, target), target, {})
    texts = [c.text for c in summary.claims]
    assert len(texts) == 1 and texts[0].startswith("This organisation" if page == "organisation" else "The definition")
    raw = Graph().parse(data_dir / "curated" / ("organisations.ttl" if page == "organisation" else "concepts.ttl"))
    label = raw.value(target, RDFS.label) or raw.value(target, SKOS.prefLabel)
    assert summary.label == str(label)  # what the sources say stays beside the correction
