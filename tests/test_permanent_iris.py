"""An IRI once published keeps resolving: every IRI of the previous release is described, or replaced by one that is.

``tests/data/previous-release-iris.txt.gz`` holds every IRI in our ``id/`` space (subject or object, any graph) of
the build before the fidelity changes (``tests/data/previous-release-iris.README.md`` says how it was made; see
:func:`write_fixture`). The store must describe each one, or give it ``dct:isReplacedBy`` an IRI it describes
(``data/links/replaced.ttl``); and the real server answers a sample of them with 303 (described) or 301 (replaced)
to a document that answers 200, never 404.
"""

from __future__ import annotations

import gzip
import random
import sys
from pathlib import Path

import httpx
from live_server import LiveServer

from kg.namespaces import ID
from kg.store import EmbeddedStore, Solutions, TripleStore

FIXTURE = Path(__file__).resolve().parent / "data" / "previous-release-iris.txt.gz"
ALL_IRIS = f"""SELECT DISTINCT ?iri WHERE {{
  {{ GRAPH ?g {{ ?iri ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p ?iri }} }}
  FILTER(isIRI(?iri) && STRSTARTS(STR(?iri), "{ID}")) }}"""
TYPED = f"""SELECT DISTINCT ?iri WHERE {{ ?iri a ?type FILTER(STRSTARTS(STR(?iri), "{ID}")) }}"""
REPLACED = "SELECT ?old ?new WHERE { ?old dct:isReplacedBy ?new }"
SAMPLE = 40


def store_iris(store: TripleStore) -> set[str]:
    """Every IRI in our id/ space that the store names as subject or object."""
    result = store.query(ALL_IRIS)
    assert isinstance(result, Solutions)
    return {str(row["iri"]) for row in result.rows}


def write_fixture(store_path: str) -> None:
    """Write the fixture from a built store (run once per release, on that release's store)."""
    iris = sorted(store_iris(EmbeddedStore.open(Path(store_path))))
    with gzip.GzipFile(FIXTURE, "wb", mtime=0) as handle:
        handle.write(("\n".join(iris) + "\n").encode("utf-8"))


def previous_iris() -> list[str]:
    return gzip.decompress(FIXTURE.read_bytes()).decode("utf-8").split()


def rows(store: TripleStore, query: str) -> list[dict[str, str]]:
    result = store.query(query)
    assert isinstance(result, Solutions)
    return [{k: str(v) for k, v in row.items()} for row in result.rows]


def test_the_fixture_is_a_whole_release() -> None:
    iris = previous_iris()
    assert len(iris) > 50_000 and all(iri.startswith(str(ID)) for iri in iris)
    assert str(ID["org/metropolitan-police-service"]) in iris and str(ID["incident/AIAAIC0630"]) in iris


def test_every_previous_iri_is_described_or_replaced(embedded_store: EmbeddedStore) -> None:
    described = {r["iri"] for r in rows(embedded_store, TYPED)}
    present = store_iris(embedded_store)
    replaced = {r["old"]: r["new"] for r in rows(embedded_store, REPLACED)}
    unresolved = [
        iri for iri in previous_iris() if iri not in present or (iri in replaced and replaced[iri] not in described)
    ]
    assert unresolved == []
    gone = [iri for iri in previous_iris() if iri in replaced and iri not in described]
    assert str(ID["involvement/AIAAIC0630-aiaaic-2026-05-deployer-metropolitan-police-service"]) in gone


def test_the_server_answers_previous_iris_with_303_or_301(live_server: LiveServer, embedded_store: EmbeddedStore) -> None:
    replaced = {r["old"]: r["new"] for r in rows(embedded_store, REPLACED)}
    described = {r["iri"] for r in rows(embedded_store, TYPED)}
    retired = sorted(iri for iri in replaced if iri not in described)
    sample = retired + random.Random(14).sample(previous_iris(), SAMPLE)
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        for iri in sample:
            path = "/id/" + iri.removeprefix(str(ID))
            answer = client.get(path, headers={"Accept": "text/html"})
            expected = 301 if iri in retired else 303
            assert answer.status_code == expected, (iri, answer.status_code)
            location = answer.headers["location"]
            if iri in retired:
                assert location == "/doc/" + replaced[iri].removeprefix(str(ID)), iri
                assert client.get(path.replace("/id/", "/doc/", 1)).status_code == 301, iri
            assert client.get(location, headers={"Accept": "text/turtle"}).status_code == 200, (iri, location)


if __name__ == "__main__":
    write_fixture(sys.argv[1])
