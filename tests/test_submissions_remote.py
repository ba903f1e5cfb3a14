"""The write path on the remote-store backend: two replicas on one real Virtuoso (``kg serve --store-url``), the
writer owning the submissions database (``KG_SUBMISSIONS_DB``) and a reader without it. An editor accepts a
submission on the writer; its graph is written to Virtuoso through the Graph Store Protocol (PUT), and the reader
finds the incident by SPARQL and serves its page. The reader refuses the write path, saying where it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, start_server, stop_server
from rdflib import Graph, Literal
from test_submissions_http import PASSWORD, cookie_header, cookies_of, csrf_of, wait_for
from rdflib.namespace import DCTERMS, RDF, SKOS
from virtuoso import start_virtuoso, stop_virtuoso, store_settings

from kg.build import build
from kg.namespaces import GRAPH, ID, KG
from kg.remote_store import RemoteStore
from kg.store import EmbeddedStore
from kg.submissions.database import SubmissionDatabase
from kg.submissions.to_rdf import submission_graph
from server.submission_writes import write_missing

KG_COMMAND = Path(sys.executable).with_name("kg")
TITLE = "Council trials automated benefit fraud scoring"
JSON = {"Accept": "application/sparql-results+json"}


@dataclass
class Replicas:
    writer: LiveServer
    reader: LiveServer
    remote: RemoteStore
    database: Path
    technology: str


@pytest.fixture(scope="module")
def replicas(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> Iterator[Replicas]:
    root = tmp_path_factory.mktemp("remote-write")
    shutil.copytree(data_dir / "curated", root / "data" / "curated")
    build(root / "data", root / "built")
    settings = start_virtuoso(root / "virtuoso")
    processes = []
    remote = RemoteStore(settings["KG_STORE_URL"], settings["KG_STORE_USER"], settings["KG_STORE_PASSWORD"])
    try:
        remote.replace_with(EmbeddedStore.open(root / "built"))
        database = root / "writer" / "submissions.sqlite"
        done = subprocess.run([str(KG_COMMAND), "editors", "add", "ada", "--password-stdin"], input=PASSWORD + "\n",
                              text=True, capture_output=True, timeout=60,
                              env={**os.environ, "KG_SUBMISSIONS_DB": str(database)})
        assert done.returncode == 0, done.stderr
        on_store = store_settings(settings)
        process, writer = start_server(root / "writer-store", root / "writer.log", submissions_db=str(database), **on_store)
        processes.append(process)
        process, reader = start_server(root / "reader-store", root / "reader.log", **on_store)
        processes.append(process)
        concepts = Graph().parse(data_dir / "curated" / "concepts.ttl")
        technology = min(str(s) for s in concepts.subjects(SKOS.inScheme, KG.technologies))
        yield Replicas(writer, reader, remote, database, technology)
    finally:
        for process in processes:
            stop_server(process)
        remote.close()
        stop_virtuoso(settings)


def ask(server: LiveServer, query: str) -> bool:
    answer = httpx.post(server.endpoint, data={"query": query}, headers=JSON, timeout=30)
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["boolean"])


def accept(server: LiveServer, number: int) -> None:
    """Sign in as the editor on ``server`` and accept submission ``number``."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        form = client.get("/editor/login")
        cookies = cookies_of(form)
        signed = client.post("/editor/login", headers=cookie_header(cookies),
                             data={"name": "ada", "password": PASSWORD, "csrf": csrf_of(form.text)})
        assert signed.status_code == 303, signed.text
        cookies |= cookies_of(signed)
        review = client.get(f"/editor/submissions/{number}", headers=cookie_header(cookies))
        assert review.status_code == 200, review.text
        decided = client.post(f"/editor/submissions/{number}", headers=cookie_header(cookies),
                              data={"decision": "accept", "note": "checked", "csrf": csrf_of(review.text)})
        assert decided.status_code == 303, decided.text


def test_a_replica_without_the_submissions_database_refuses_the_write_path_clearly(replicas: Replicas) -> None:
    sent = httpx.post(f"{replicas.reader.url}/api/submissions", timeout=30, headers={"Accept": "application/json"},
                      json={"kind": "incident", "title": TITLE, "when": "2024", "sources": [{"url": "https://example.org/"}]})
    assert sent.status_code == 503 and sent.json()["error"] == "not-the-writer"
    assert "KG_SUBMISSIONS_DB" in sent.json()["message"]
    for path in ("/submit", "/editor/login", "/editor/queue"):
        assert httpx.get(replicas.reader.url + path, timeout=30).status_code == 503, path
    assert httpx.get(replicas.writer.url + "/submit", timeout=30).status_code == 200


def test_an_accepted_submission_is_written_to_the_store_and_found_through_another_replica(replicas: Replicas) -> None:
    sent = httpx.post(f"{replicas.writer.url}/api/submissions", timeout=60, json={
        "kind": "incident", "title": TITLE, "when": "2024-02", "technologies": [replicas.technology],
        "sources": [{"url": "https://example.org/news/council", "publisher": "Example News"}]})
    assert sent.status_code == 201, sent.text
    number = SubmissionDatabase(replicas.database).by_token(sent.json()["token"]).id
    incident, graph = ID[f"incident/KG-{number:04d}"], GRAPH[f"submissions/{number}"]
    query = f"ASK {{ GRAPH <{graph}> {{ <{incident}> a <{KG.Incident}> }} <{incident}> <{DCTERMS.title}> ?t }}"
    assert not ask(replicas.reader, query)
    version = replicas.remote.version()

    accept(replicas.writer, number)
    wait_for(lambda: ask(replicas.reader, query), 90, "the reader finding the accepted incident")
    page = httpx.get(f"{replicas.reader.url}/doc/incident/KG-{number:04d}", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and TITLE in page.text

    # in Virtuoso: the graph, read back through the Graph Store Protocol, and a new data version in the manifest
    stored = Graph().parse(data=replicas.remote._graph_ntriples(str(graph)), format="nt")
    assert (incident, DCTERMS.title, Literal(TITLE, lang="en")) in stored and (incident, RDF.type, KG.Incident) in stored
    assert str(graph) in replicas.remote.graph_names(fresh=True)
    after = replicas.remote.version()
    assert after != version and after.startswith(version.split("+")[0])

    # idempotent: nothing missing is written again, and writing the graph again leaves the same graph and list
    database = SubmissionDatabase(replicas.database)
    assert write_missing(replicas.remote, database) == 0
    again = submission_graph(database.by_id(number)).serialize(format="nt", encoding="utf-8")
    replicas.remote.write_graph(str(graph), again, f"submission-{number}")
    assert len(Graph().parse(data=replicas.remote._graph_ntriples(str(graph)), format="nt")) == len(stored)
    names = replicas.remote.graph_names(fresh=True)
    assert names.count(str(graph)) == 1 and replicas.remote.version() == after

