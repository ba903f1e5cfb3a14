"""Write a versioned, reproducible release: canonical dumps, ontology and shapes, a CSV of the incidents for
spreadsheets, a DCAT catalogue, a changelog.

The same data always gives byte-identical files: N-Triples and N-Quads are sorted (C collation) and
de-duplicated, gzip headers carry no time stamp, and the catalogue lists sizes and SHA-256 sums. The
changelog compares the canonical N-Triples with the previous release in the same folder by a streaming
merge, so neither release is held in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from kg.errors import StoreError
from kg.licence import LICENCE, rights_statement
from kg.namespaces import BASE, ID, KG, bind_prefixes
from kg.resources import ontology_dir, shapes_dir
from kg.spreadsheet import write_incidents_csv
from kg.store import TripleStore

SPDX = "http://spdx.org/rdf/terms#"
INCIDENT_PREFIX = f"<{ID}incident/"
CLAIM_PREFIX = f"<{ID}claim/"
IS_INCIDENT = f"<{RDF.type}> <{KG.Incident}> ."
CLAIM_ABOUT = f"<{KG.claimAbout}>"
CATALOGUE = "catalog.ttl"
CHANGELOG = "CHANGELOG.md"
INCIDENTS_CSV = "incidents.csv"


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release and what a downloader needs to know about it."""

    name: str
    media_type: str
    size: int
    sha256: str
    triples: int | None = None
    compressed: bool = False


@dataclass(frozen=True)
class Changes:
    """What changed since the previous release (None when there was none): ``incidents`` are every incident new or
    changed, ``new_incidents`` those the previous release did not type as incidents (a subset)."""

    previous: str | None
    added: int = 0
    removed: int = 0
    incidents: list[str] = field(default_factory=list)
    new_incidents: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Release:
    """A written release: its folder, version, files and changes."""

    folder: Path
    version: str
    files: list[ReleaseFile]
    changes: Changes


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(path: Path, media_type: str, triples: int | None = None, compressed: bool = False) -> ReleaseFile:
    return ReleaseFile(path.name, media_type, path.stat().st_size, sha256_of(path), triples, compressed)


def _sort_unique(source: Path, target: Path, scratch: Path) -> None:
    """Sort the lines of ``source`` bytewise, dropping duplicates, with bounded memory (coreutils sort)."""
    env = {**os.environ, "LC_ALL": "C"}
    with target.open("wb") as out:
        subprocess.run(
            ["sort", "-u", "-S", "64M", "-T", str(scratch), str(source)], stdout=out, env=env, check=True
        )


def _gzip(source: Path, target: Path) -> None:
    """Compress without a time stamp or file name in the header, so equal input gives equal bytes."""
    with source.open("rb") as raw, target.open("wb") as sink:
        with gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0, compresslevel=6) as zipped:
            shutil.copyfileobj(raw, zipped, 1 << 20)


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def _lines(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as handle:
        yield from handle


@dataclass
class _Diff:
    """What a merge of two sorted N-Triples files found, line by changed line."""

    added: int = 0
    removed: int = 0
    incidents: set[str] = field(default_factory=set)
    new: set[str] = field(default_factory=set)
    claims: set[str] = field(default_factory=set)

    def note(self, line: bytes, added: bool) -> None:
        """Count a changed line: an incident's own statement, a new incident's type, a claim's statement."""
        text = line.decode("utf-8").rstrip("\n")
        subject, _, rest = text.partition(" ")
        if text.startswith(INCIDENT_PREFIX):
            self.incidents.add(subject[1:-1])
            if added and rest == IS_INCIDENT:
                self.new.add(subject[1:-1])
        elif text.startswith(CLAIM_PREFIX):
            self.claims.add(subject)


def _claims_about(paths: tuple[Path, ...], claims: set[str]) -> set[str]:
    """The incidents the ``claims`` (N-Triples subjects) are about, read from the ``kg:claimAbout`` lines of both
    files: a claim added, removed or reworded changes the incident it is about."""
    found: set[str] = set()
    for path in paths:
        for line in _lines(path):
            text = line.decode("utf-8")
            subject, _, rest = text.partition(" ")
            if subject in claims and rest.startswith(CLAIM_ABOUT + " " + INCIDENT_PREFIX):
                found.add(rest[len(CLAIM_ABOUT) + 2 : rest.index(">", len(CLAIM_ABOUT) + 2)])
    return found


def compare(old: Path, new: Path) -> tuple[int, int, list[str], list[str]]:
    """Added and removed lines between two sorted N-Triples files; the incidents whose own statements or claims
    changed; and, of those, the new ones (typed ``kg:Incident`` only in ``new``)."""
    diff = _Diff()
    old_lines, new_lines = _lines(old), _lines(new)
    a, b = next(old_lines, None), next(new_lines, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            diff.removed += 1
            diff.note(a, added=False)  # type: ignore[arg-type]
            a = next(old_lines, None)
        elif a is None or b < a:
            diff.added += 1
            diff.note(b, added=True)
            b = next(new_lines, None)
        else:
            a, b = next(old_lines, None), next(new_lines, None)
    if diff.claims:
        diff.incidents |= _claims_about((old, new), diff.claims)
    return diff.added, diff.removed, sorted(diff.incidents), sorted(diff.new)


def _previous_release(out_dir: Path, version: str) -> Path | None:
    candidates = sorted(
        (
            p
            for p in out_dir.iterdir()
            if p.is_dir() and not p.name.startswith(".") and p.name != version and (p / "ai-incidents.nt.gz").exists()
        ),
        key=lambda p: p.name,
    )
    return candidates[-1] if candidates else None


def _dump_sorted(store: TripleStore, media_type: str, target: Path, scratch: Path) -> int:
    raw = scratch / f"{target.name}.raw"
    with raw.open("wb") as output:
        store.dump(output, media_type)
    sorted_path = scratch / f"{target.name}.sorted"
    _sort_unique(raw, sorted_path, scratch)
    raw.unlink()
    _gzip(sorted_path, target)
    count = _count_lines(sorted_path)
    sorted_path.unlink()
    return count


def _concatenate_turtle(folder: Path, target: Path) -> int:
    graph = bind_prefixes(Graph())
    for path in sorted(folder.glob("*.ttl")):
        graph.parse(path, format="turtle")
    target.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    return len(graph)


def write_release(store: TripleStore, out_dir: Path, version: str) -> Release:
    """Write release ``version`` of ``store`` into ``out_dir/<version>/`` and describe it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    folder = out_dir / version
    staging = out_dir / f".{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        with tempfile.TemporaryDirectory(dir=out_dir) as scratch_name:
            scratch = Path(scratch_name)
            triples = _dump_sorted(store, "application/n-triples", staging / "ai-incidents.nt.gz", scratch)
            quads = _dump_sorted(store, "application/n-quads", staging / "ai-incidents.nq.gz", scratch)
            turtle = scratch / "ai-incidents.ttl"
            with turtle.open("wb") as output:
                store.dump(output, "text/turtle")
            _gzip(turtle, staging / "ai-incidents.ttl.gz")
        write_incidents_csv(store, staging / INCIDENTS_CSV)
        ontology = _concatenate_turtle(ontology_dir(), staging / "ontology.ttl")
        shapes = _concatenate_turtle(shapes_dir(), staging / "shapes.ttl")
        files = [
            _describe(staging / "ai-incidents.ttl.gz", "text/turtle", triples, compressed=True),
            _describe(staging / "ai-incidents.nt.gz", "application/n-triples", triples, compressed=True),
            _describe(staging / "ai-incidents.nq.gz", "application/n-quads", quads, compressed=True),
            _describe(staging / "ontology.ttl", "text/turtle", ontology),
            _describe(staging / "shapes.ttl", "text/turtle", shapes),
            _describe(staging / INCIDENTS_CSV, "text/csv"),
        ]
        previous = _previous_release(out_dir, version)
        changes = Changes(None)
        if previous is not None:
            added, removed, incidents, new = compare(previous / "ai-incidents.nt.gz", staging / "ai-incidents.nt.gz")
            changes = Changes(previous.name, added, removed, incidents, new)
        (staging / CATALOGUE).write_text(catalogue(version, files, rights=rights_statement(store)), encoding="utf-8")
        (staging / CHANGELOG).write_text(changelog(version, triples, changes), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
    except (OSError, subprocess.CalledProcessError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(f"cannot write release {version} in {out_dir}: {error}") from error
    return Release(folder, version, files, changes)


PARTS = {
    "": ("AI Incidents knowledge graph", "The merge of every source: each statement once."),
    "named-graphs": ("AI Incidents knowledge graph, by source",
                     "One named graph per source file or dataset: who stated what. Its void:triples counts a statement "
                     "once per graph that states it, which is the number of quads (lines) of the N-Quads file."),
    "ontology": ("AI Incidents ontology", "The vocabulary of the graph."),
    "shapes": ("AI Incidents SHACL shapes", "The constraints every build is validated against."),
}
"""The datasets of a release, by the fragment of their IRI: title and description."""


def part_of(item: ReleaseFile) -> str:
    """Which dataset of :data:`PARTS` a file of the release is a distribution of."""
    if item.name.startswith("ai-incidents"):
        return "named-graphs" if item.media_type == "application/n-quads" else ""
    return item.name.split(".")[0]


def catalogue(version: str, files: list[ReleaseFile], *, rights: str | None = None, download_base: str | None = None) -> str:
    """A DCAT catalogue of a release, as Turtle: the catalogue, its datasets (with their VoID counts: the merge, the
    named graphs, the ontology, the shapes), and their distributions (the files, with SPDX checksums).

    ``rights`` states the licence's attributions; files are downloaded from ``download_base`` + name when given
    (a server's ``/dumps/``), else from their release IRIs. Counts sit on the datasets (``void:triples`` has
    ``void:Dataset`` as its domain), never on a distribution.
    """
    graph = bind_prefixes(Graph())
    graph.bind("spdx", SPDX)
    root = URIRef(f"{BASE}release/{version}")
    catalog = URIRef(f"{root}/catalog")
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.title, Literal(f"AI Incidents knowledge graph, release {version}", lang="en")))
    graph.add((catalog, OWL.versionInfo, Literal(version)))
    graph.add((catalog, DCTERMS.license, LICENCE))
    for item in files:
        part = part_of(item)
        dataset = root if not part else URIRef(f"{root}#{part}")
        if (catalog, DCAT.dataset, dataset) not in graph:
            _describe_dataset(graph, catalog, dataset, part, version, rights)
            if item.triples is not None:
                graph.add((dataset, VOID.triples, Literal(item.triples, datatype=XSD.nonNegativeInteger)))
        dist = URIRef(f"{root}/{item.name}")
        graph.add((dataset, DCAT.distribution, dist))
        graph.add((dist, RDF.type, DCAT.Distribution))
        graph.add((dist, DCTERMS.title, Literal(item.name)))
        graph.add((dist, DCAT.downloadURL, URIRef(download_base + item.name) if download_base else dist))
        graph.add((dist, OWL.versionInfo, Literal(version)))
        graph.add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{item.media_type}")))
        graph.add((dist, DCAT.byteSize, Literal(item.size, datatype=XSD.nonNegativeInteger)))
        graph.add((dist, DCTERMS.license, LICENCE))
        if item.compressed:
            graph.add((dist, DCAT.compressFormat, URIRef("https://www.iana.org/assignments/media-types/application/gzip")))
        checksum = URIRef(f"{dist}#sha256")
        graph.add((dist, URIRef(SPDX + "checksum"), checksum))
        graph.add((checksum, URIRef(SPDX + "algorithm"), URIRef(SPDX + "checksumAlgorithm_sha256")))
        graph.add((checksum, URIRef(SPDX + "checksumValue"), Literal(item.sha256, datatype=XSD.hexBinary)))
    return graph.serialize(format="turtle")


def _describe_dataset(graph: Graph, catalog: URIRef, dataset: URIRef, part: str, version: str, rights: str | None) -> None:
    title, description = PARTS.get(part, (part, ""))
    graph.add((catalog, DCAT.dataset, dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(title, lang="en")))
    if description:
        graph.add((dataset, DCTERMS.description, Literal(description, lang="en")))
    graph.add((dataset, OWL.versionInfo, Literal(version)))
    graph.add((dataset, DCTERMS.license, LICENCE))
    if part in ("", "named-graphs"):
        graph.add((dataset, VOID.uriSpace, Literal(str(ID))))
    if rights:
        graph.add((dataset, DCTERMS.rights, Literal(rights, lang="en")))


def changelog(version: str, triples: int, changes: Changes) -> str:
    """A short Markdown changelog for people: the new incidents, then those whose statements or claims changed
    (each a ``- <IRI>`` line, which is what :func:`kg.feeds.read_changelog` reads)."""
    lines = [f"# Release {version}", "", f"{triples} distinct triples.", ""]
    if changes.previous is None:
        lines.append("First release in this folder: no previous release to compare with.")
    else:
        new = set(changes.new_incidents)
        changed = [iri for iri in changes.incidents if iri not in new]
        lines.append(f"Since {changes.previous}: {changes.added} triples added, {changes.removed} removed.")
        lines += ["", f"New incidents ({len(new)}):"]
        lines += [f"- <{iri}>" for iri in sorted(new)]
        lines += ["", f"Changed incidents: their own statements or the claims about them ({len(changed)}):"]
        lines += [f"- <{iri}>" for iri in changed]
    return "\n".join(lines) + "\n"
