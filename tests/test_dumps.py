"""Downloads: the release listed in HTML and DCAT, files that rapper parses back to the store, reproducible bytes,
and HTTP validators, conditional requests and byte ranges against a real server."""

from __future__ import annotations

import csv
import gzip
import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

import httpx
import pytest
from backends import Backend
from fastapi.testclient import TestClient
from live_server import LiveServer
from tools import require_tool
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID

from kg.build import build
from kg.licence import LICENCE
from kg.publication import ensure_release, releases_dir
from kg.release import Release
from kg.store import EmbeddedStore, TripleStore
from server import create_app

SPDX = "http://spdx.org/rdf/terms#"
DUMPS = ("ai-incidents.ttl.gz", "ai-incidents.nt.gz", "ai-incidents.nq.gz")


@pytest.fixture(scope="module")
def client(backend: Backend) -> Iterator[TestClient]:
    settings = backend.settings(public_url="http://testserver", client_budget=0, query_workers=1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def release(client: TestClient) -> Release:
    """The release the app wrote at start-up for the session's build."""
    served: Release = client.app.state.release  # type: ignore[attr-defined]
    return served


def _rapper(data: bytes, syntax: str, output: str) -> list[bytes]:
    """Parse with Raptor (an independent parser) and return its serialisation's lines, sorted."""
    done = subprocess.run([require_tool("rapper"), "-q", "-i", syntax, "-o", output, "-", "http://example.org/base/"],
                          input=data, capture_output=True, check=True)
    return sorted(line for line in done.stdout.splitlines() if line.strip())


def test_the_server_writes_the_release_of_its_data_version_at_start(release: Release, backend: Backend, embedded_store: TripleStore) -> None:
    """The version is the build's id; the Virtuoso loaded from that build has it too, and its release, written from
    Virtuoso into its own folder, has the embedded release's sorted files byte for byte and the same Turtle triples
    (in the order the store lists them)."""
    assert release.version == backend.store.version() == embedded_store.version()
    assert release.folder == releases_dir(backend.store_path, backend.releases) / release.version
    assert {f.name for f in release.files} == {*DUMPS, "ontology.ttl", "shapes.ttl", "incidents.csv"}
    assert embedded_store.location is not None
    embedded = ensure_release(embedded_store, embedded_store.location, releases_dir(backend.store_path))  # the embedded app's
    same_bytes = lambda r: [(f.name, f.sha256, f.triples) for f in r.files if not f.name.endswith("ttl.gz")]
    assert same_bytes(release) == same_bytes(embedded)
    for written in (release, embedded):
        back = EmbeddedStore.in_memory()
        back.load(gzip.decompress((written.folder / "ai-incidents.ttl.gz").read_bytes()), "text/turtle")
        sorted_triples = gzip.decompress((written.folder / "ai-incidents.nt.gz").read_bytes()).splitlines()
        assert sorted(set(back.graph_ntriples(None).splitlines())) == sorted_triples


def test_listing_for_people(client: TestClient, release: Release) -> None:
    page = client.get("/dumps/", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for item in release.files:
        assert f'href="/dumps/{item.name}"' in page.text
        assert item.sha256 in page.text and str(item.size) in page.text and item.media_type in page.text
    assert release.version in page.text and "CC BY-SA 4.0" in page.text and "AIAAIC" in page.text


def test_listing_for_machines_is_dcat_that_matches_the_files(client: TestClient, store: TripleStore) -> None:
    catalogue = Graph().parse(data=client.get("/dumps/", headers={"Accept": "text/turtle"}).content, format="turtle")
    catalog = catalogue.value(None, RDF.type, DCAT.Catalog)
    assert catalog is not None and catalogue.value(catalog, DCTERMS.license) == LICENCE
    datasets = list(catalogue.objects(catalog, DCAT.dataset))
    assert sorted(datasets) == sorted(catalogue.subjects(DCAT.distribution, None, unique=True))
    distributions = [d for dataset in datasets for d in catalogue.objects(dataset, DCAT.distribution)]
    assert len(distributions) == 6  # five RDF files and incidents.csv
    for dataset in datasets:
        assert catalogue.value(dataset, DCTERMS.license) == LICENCE
        assert (dataset, RDF.type, VOID.Dataset) in catalogue
    for dist in distributions:
        dataset = catalogue.value(None, DCAT.distribution, dist)
        url = str(catalogue.value(dist, DCAT.downloadURL))
        assert url.startswith("http://testserver/dumps/")
        body = client.get(url.removeprefix("http://testserver")).content
        assert int(catalogue.value(dist, DCAT.byteSize)) == len(body)
        checksum = catalogue.value(dist, URIRef(SPDX + "checksum"))
        assert str(catalogue.value(checksum, URIRef(SPDX + "checksumValue"))) == hashlib.sha256(body).hexdigest()
        assert catalogue.value(dist, DCTERMS.license) == LICENCE
        assert catalogue.value(dist, OWL.versionInfo) == catalogue.value(catalog, OWL.versionInfo)
        assert catalogue.value(dist, DCAT.mediaType) is not None
        assert (dist, VOID.triples, None) not in catalogue  # counts belong to datasets (the domain of void:triples)
        if url.endswith((".nt.gz", ".ttl.gz")):
            assert "AIAAIC" in str(catalogue.value(dataset, DCTERMS.rights))
            assert int(catalogue.value(dataset, VOID.triples)) == store.triple_count()
        if url.endswith(".nq.gz"):
            assert int(catalogue.value(dataset, VOID.triples)) == store.quad_count()


def test_release_iris_resolve_while_served(client: TestClient, release: Release) -> None:
    listing = client.get(f"/release/{release.version}", follow_redirects=False)
    assert listing.status_code == 303 and listing.headers["location"] == "/dumps/"
    file = client.get(f"/release/{release.version}/ai-incidents.nt.gz", follow_redirects=False)
    assert file.status_code == 303 and file.headers["location"] == "/dumps/ai-incidents.nt.gz"
    assert client.get("/release/1999-01-01", follow_redirects=False).status_code == 404


def test_dumps_parse_with_rapper_and_round_trip_to_the_store(client: TestClient, store: TripleStore) -> None:
    files = {name: gzip.decompress(client.get(f"/dumps/{name}").content) for name in DUMPS}
    merged = _rapper(files["ai-incidents.nt.gz"], "ntriples", "ntriples")
    assert _rapper(files["ai-incidents.ttl.gz"], "turtle", "ntriples") == merged
    assert not any(term.startswith(b"_:") for line in merged for term in line.split())  # no blank nodes, so equal
    # sets of statements (both written by rapper, the same way) are isomorphic graphs
    contents = store.query_serialized("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
    assert merged == _rapper(contents, "ntriples", "ntriples")
    assert len(merged) == store.triple_count()
    quads = []
    for name in store.graph_names():
        statements = store.query_serialized("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", "application/n-triples",
                                            {"g": URIRef(name)})
        quads += [line.rstrip().removesuffix(b".") + f"<{name}> .".encode() for line in statements.splitlines() if line.strip()]
    assert _rapper(files["ai-incidents.nq.gz"], "nquads", "nquads") == _rapper(b"\n".join(quads), "nquads", "nquads")
    assert len(quads) == store.quad_count()


def _small_data(data_dir: Path, target: Path, rows: int = 80) -> Path:
    """The curated data and tables, with the first rows of one AIAAIC export and the OECD sample as sources."""
    for folder in ("curated", "concepts", "organisations"):
        shutil.copytree(data_dir / folder, target / folder)
    shutil.copytree(data_dir / "sources" / "oecd-aim", target / "sources" / "oecd-aim")
    export = Path("sources/aiaaic/aiaaic_incidents_2026-05.csv")
    (target / export).parent.mkdir(parents=True)
    with (data_dir / export).open(newline="", encoding="utf-8") as source, (target / export).open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for index, row in enumerate(csv.reader(source)):
            if index > rows:
                break
            writer.writerow(row)
    return target


def test_two_builds_give_identical_files(data_dir: Path, tmp_path: Path) -> None:
    data = _small_data(data_dir, tmp_path / "data")
    releases = []
    for name in ("first", "second"):
        result = build(data, tmp_path / name)
        imported = {r.source: r.imported for r in result.sources}
        assert imported["aiaaic-2026-05"] > 0 and imported["oecd-aim-sample"] > 0
        releases.append(ensure_release(EmbeddedStore.open(tmp_path / name), result.location, tmp_path / name / "releases"))
    first, second = releases
    assert first.version != second.version
    assert [(f.name, f.sha256, f.size, f.triples) for f in first.files] == [(f.name, f.sha256, f.size, f.triples) for f in second.files]
    for item in first.files:
        assert (first.folder / item.name).read_bytes() == (second.folder / item.name).read_bytes()


def test_downloads_over_http_resume_and_revalidate(live_server: LiveServer) -> None:
    url = live_server.url + "/dumps/ai-incidents.nt.gz"
    with httpx.Client(timeout=30) as http:
        whole = http.get(url)
        assert whole.status_code == 200 and whole.headers["content-type"] == "application/gzip"
        body, etag, modified = whole.content, whole.headers["etag"], whole.headers["last-modified"]
        size = len(body)
        assert int(whole.headers["content-length"]) == size and whole.headers["accept-ranges"] == "bytes"
        assert etag == f'"{hashlib.sha256(body).hexdigest()}"'

        head = http.head(url)
        assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) == size

        first = http.get(url, headers={"Range": "bytes=0-99"})
        assert first.status_code == 206 and first.content == body[:100]
        assert first.headers["content-range"] == f"bytes 0-99/{size}" and first.headers["content-length"] == "100"
        rest = http.get(url, headers={"Range": "bytes=100-", "If-Range": etag})
        assert rest.status_code == 206 and first.content + rest.content == body
        assert http.get(url, headers={"Range": "bytes=-10"}).content == body[-10:]
        assert http.get(url, headers={"Range": f"bytes={size - 5}-{size + 100}"}).content == body[-5:]

        unsatisfiable = http.get(url, headers={"Range": f"bytes={size}-"})
        assert unsatisfiable.status_code == 416 and unsatisfiable.headers["content-range"] == f"bytes */{size}"
        for ignored in ("bytes=10-5", "items=0-1", "bytes=0-1,5-6", "nonsense"):
            answer = http.get(url, headers={"Range": ignored})
            assert answer.status_code == 200 and answer.content == body, ignored
        stale = http.get(url, headers={"Range": "bytes=0-9", "If-Range": '"not-the-current-file"'})
        assert stale.status_code == 200 and stale.content == body

        for validators in ({"If-None-Match": etag}, {"If-None-Match": f'W/{etag}, "other"'}, {"If-Modified-Since": modified}):
            cached = http.get(url, headers=validators)
            assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag, validators
        earlier = formatdate(parsedate_to_datetime(modified).timestamp() - 3600, usegmt=True)
        assert http.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        assert http.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
        assert http.get(url, headers={"If-Match": '"other"'}).status_code == 412
        assert http.get(url, headers={"If-Match": etag}).status_code == 200
        assert http.get(url, headers={"If-Unmodified-Since": earlier}).status_code == 412
        assert http.get(live_server.url + "/dumps/no-such-file.nt").status_code == 404


def test_the_incidents_csv_has_one_row_per_incident_per_source_database(client: TestClient, store: TripleStore) -> None:
    listing = client.get("/dumps/", headers={"Accept": "text/html"}).text
    assert 'href="/dumps/incidents.csv"' in listing and "Release of " in listing
    response = client.get("/dumps/incidents.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(response.text.splitlines()))
    assert {"iri", "source_database", "title", "date", "countries", "deployers", "developers"} <= set(rows[0])
    pairs = [(r["iri"], r["source_database"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    expected = store.query("SELECT (COUNT(DISTINCT CONCAT(STR(?incident), ' ', ?database)) AS ?n) WHERE { GRAPH ?g { ?incident a kg:Incident } "
                           "?g prov:wasDerivedFrom/schema:publisher/rdfs:label ?database }")
    assert len(rows) == int(expected.rows[0]["n"])  # type: ignore[union-attr]
    kings_cross = [r for r in rows if r["iri"].endswith("/incident/AIAAIC0288")]
    assert kings_cross and "Metropolitan Police Service" in kings_cross[0]["deployers"]
