"""One release per store build, kept beside the store: written once when missing (under a lock), read back after.

A server calls :func:`ensure_release` when it starts: the release of the build it serves lives in
``<releases>/<build id>/`` (the build id is the build's folder name, so it names the release version too).
Several server processes starting together write it once; releases of builds that are gone are removed.
"""

from __future__ import annotations

import fcntl
import re
import shutil
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID

from kg.errors import NotFound, StoreError
from kg.release import CATALOGUE, SPDX, Changes, Release, ReleaseFile, write_release
from kg.store import TripleStore

BUILD_ID = re.compile(r"^\d{8}T\d{6}-\d+$")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def releases_dir(store_path: Path, configured: Path | None = None) -> Path:
    """Where releases are kept: ``configured``, else ``<store>/releases``."""
    return configured if configured is not None else Path(store_path) / "releases"


def ensure_release(store: TripleStore, build: Path | str, folder: Path) -> Release:
    """The release of ``build`` (read from ``store``) in ``folder``, written first if it is not there yet.

    ``build`` is a build folder (releases of builds gone from beside it are removed), or the data version of a
    store without build folders (a remote store: the releases of the newest few versions are kept).
    """
    version = Path(build).name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not (folder / version / CATALOGUE).is_file():
                    write_release(store, folder, version)
                if isinstance(build, Path):
                    _prune(folder, build.parent, keep=version)
                else:
                    _prune_older(folder, keep=version)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    except OSError as error:
        raise StoreError(f"cannot keep releases in {folder}: {error}") from error
    return read_release(folder / version)


def _prune(folder: Path, builds: Path, keep: str) -> None:
    """Remove the releases of builds that no longer exist (other folders, such as named versions, stay)."""
    for release in folder.iterdir():
        if release.is_dir() and BUILD_ID.match(release.name) and release.name != keep and not (builds / release.name).exists():
            shutil.rmtree(release, ignore_errors=True)


def _prune_older(folder: Path, keep: str, newest: int = 2) -> None:
    """Remove the releases of versions older than the newest few (a replica may still serve the previous one)."""
    versions = sorted((p for p in folder.iterdir() if p.is_dir() and BUILD_ID.match(p.name) and p.name != keep), reverse=True)
    for release in versions[newest - 1 :]:
        shutil.rmtree(release, ignore_errors=True)


def read_release(path: Path) -> Release:
    """A written release, as its catalogue describes it (changes are in its CHANGELOG.md, not read back)."""
    try:
        catalogue = Graph().parse(path / CATALOGUE, format="turtle")
    except (OSError, SyntaxError, ValueError) as error:
        raise NotFound(f"no readable release catalogue in {path}: {error}") from error
    files = []
    catalog = catalogue.value(predicate=RDF.type, object=DCAT.Catalog)
    version = str(catalogue.value(catalog, OWL.versionInfo)) if catalog is not None else path.name
    for dataset in catalogue.subjects(DCAT.distribution, None, unique=True):
        triples = catalogue.value(dataset, VOID.triples)
        for dist in catalogue.objects(dataset, DCAT.distribution):
            files.append(_file(catalogue, dist, int(triples) if triples is not None else None))
    files.sort(key=lambda f: f.name)
    return Release(path, version, files, Changes(None))


def _file(catalogue: Graph, dist: URIRef, triples: int | None) -> ReleaseFile:
    """One file as the catalogue lists it; ``triples`` is its dataset's count (statements, for N-Quads)."""
    checksum = catalogue.value(dist, URIRef(SPDX + "checksum"))
    return ReleaseFile(
        name=str(catalogue.value(dist, DCTERMS.title)),
        media_type=str(catalogue.value(dist, DCAT.mediaType)).removeprefix(MEDIA_TYPES),
        size=int(catalogue.value(dist, DCAT.byteSize)),
        sha256=str(catalogue.value(checksum, URIRef(SPDX + "checksumValue"))),
        triples=triples,
        compressed=catalogue.value(dist, DCAT.compressFormat) is not None,
    )
