"""Releases: reproducible bytes, a DCAT catalogue that matches the files, and a changelog of real changes."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, RDF, VOID

from kg.build import build
from kg.release import write_release
from kg.store import EmbeddedStore

SPDX_VALUE = URIRef("http://spdx.org/rdf/terms#checksumValue")
KINGS_CROSS = "https://w3id.org/ai-incidents/id/incident/AIAAIC0288"


@pytest.fixture(scope="module")
def curated_stores(tmp_path_factory: pytest.TempPathFactory, data_dir: Path) -> tuple[EmbeddedStore, EmbeddedStore]:
    """Two stores: the curated data, and the same with one statement about King's Cross added."""
    root = tmp_path_factory.mktemp("release-data")
    before, after = root / "before", root / "after"
    shutil.copytree(data_dir / "curated", before / "curated")
    shutil.copytree(data_dir / "curated", after / "curated")
    page = after / "curated" / "kings-cross" / "page.ttl"
    page.write_text(
        page.read_text(encoding="utf-8")
        + '\nincident:AIAAIC0288 skos:altLabel "King\'s Cross facial recognition"@en .\n',
        encoding="utf-8",
    )
    stores = []
    for data in (before, after):
        location = root / f"store-{data.name}"
        build(data, location)
        stores.append(EmbeddedStore.open(location))
    return stores[0], stores[1]


def test_the_same_data_gives_byte_identical_files(curated_stores: tuple[EmbeddedStore, EmbeddedStore], tmp_path: Path) -> None:
    store = curated_stores[0]
    first = write_release(store, tmp_path / "a", "v1")
    second = write_release(store, tmp_path / "b", "v1")
    assert [(f.name, f.sha256, f.size) for f in first.files] == [(f.name, f.sha256, f.size) for f in second.files]
    for item in first.files:
        assert (first.folder / item.name).read_bytes() == (second.folder / item.name).read_bytes()


def test_dumps_round_trip_to_the_store_contents(curated_stores: tuple[EmbeddedStore, EmbeddedStore], tmp_path: Path) -> None:
    """Parsed by rdflib (an independent parser); the full data's dumps are checked with rapper in test_dumps."""
    store = curated_stores[0]
    release = write_release(store, tmp_path, "v1")
    merged = Graph().parse(data=gzip.decompress((release.folder / "ai-incidents.nt.gz").read_bytes()), format="nt")
    turtle = Graph().parse(data=gzip.decompress((release.folder / "ai-incidents.ttl.gz").read_bytes()), format="turtle")
    quads = Dataset().parse(data=gzip.decompress((release.folder / "ai-incidents.nq.gz").read_bytes()), format="nquads")
    assert len(merged) == store.triple_count()
    assert isomorphic(merged, turtle)
    assert sum(1 for _ in quads.quads((None, None, None, None))) == store.quad_count()
    assert {str(g.identifier) for g in quads.graphs() if len(g)} == set(store.graph_names())


def test_catalogue_describes_every_file_with_its_checksum_and_size(
    curated_stores: tuple[EmbeddedStore, EmbeddedStore], tmp_path: Path
) -> None:
    store = curated_stores[0]
    release = write_release(store, tmp_path, "v1")
    catalogue = Graph().parse(release.folder / "catalog.ttl", format="turtle")
    distributions = list(catalogue.objects(None, DCAT.distribution))
    assert len(distributions) == len(release.files)
    for dist in distributions:
        path = release.folder / str(catalogue.value(dist, URIRef("http://purl.org/dc/terms/title")))
        checksum = catalogue.value(dist, URIRef("http://spdx.org/rdf/terms#checksum"))
        assert str(catalogue.value(checksum, SPDX_VALUE)) == hashlib.sha256(path.read_bytes()).hexdigest()
        assert int(catalogue.value(dist, DCAT.byteSize)) == path.stat().st_size
    nt = URIRef("https://w3id.org/ai-incidents/release/v1/ai-incidents.nt.gz")
    nq = URIRef("https://w3id.org/ai-incidents/release/v1/ai-incidents.nq.gz")
    assert int(catalogue.value(catalogue.value(None, DCAT.distribution, nt), VOID.triples)) == store.triple_count()
    assert int(catalogue.value(catalogue.value(None, DCAT.distribution, nq), VOID.triples)) == store.quad_count()
    catalog = catalogue.value(None, RDF.type, DCAT.Catalog)
    datasets = set(catalogue.objects(catalog, DCAT.dataset))
    assert datasets == set(catalogue.subjects(DCAT.distribution, None)) and len(datasets) == 5  # the graph, ontology, shapes, VoID and the incidents table
    # void:triples has void:Dataset as its domain: never on a distribution
    assert not [d for d in distributions if (d, VOID.triples, None) in catalogue]
    assert all((d, RDF.type, VOID.Dataset) in catalogue for d in catalogue.subjects(VOID.triples, None))


def test_changelog_counts_added_triples_and_names_the_changed_incident(
    curated_stores: tuple[EmbeddedStore, EmbeddedStore], tmp_path: Path
) -> None:
    before, after = curated_stores
    write_release(before, tmp_path, "2026-01-01")
    release = write_release(after, tmp_path, "2026-02-01")
    assert release.changes.previous == "2026-01-01"
    assert (release.changes.added, release.changes.removed) == (1, 0)
    assert release.changes.incidents == [KINGS_CROSS]
    assert KINGS_CROSS in (release.folder / "CHANGELOG.md").read_text(encoding="utf-8")


def test_the_incidents_csv_is_a_distribution_with_its_checksum_and_licence(
    curated_stores: tuple[EmbeddedStore, EmbeddedStore], tmp_path: Path
) -> None:
    release = write_release(curated_stores[0], tmp_path, "2026-12-01")
    (item,) = [f for f in release.files if f.name == "incidents.csv"]
    path = release.folder / item.name
    assert item.media_type == "text/csv" and item.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert KINGS_CROSS in path.read_text(encoding="utf-8")
    catalogue = Graph().parse(release.folder / "catalog.ttl", format="turtle")
    dist = URIRef(f"https://w3id.org/ai-incidents/release/2026-12-01/{item.name}")
    assert (None, DCAT.distribution, dist) in catalogue
    assert catalogue.value(dist, URIRef("http://purl.org/dc/terms/license")) is not None
