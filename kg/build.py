"""Build the graph: load the ontology and data, import the sources, validate, write a fresh store swapped in whole."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset
from rdflib.term import Node

from kg import queries
from kg.errors import InvalidData
from kg.ingest import Ingested, RowsRejected, ingest
from kg.ingest.report import ImportReport
from kg.ingest.review import Candidate
from kg.ingest.triples import nquads_term
from kg.loading import RdfFile, discover_data, discover_ontology, load_files
from kg.namespaces import GRAPH
from kg.sparql_shapes import unsupported, validate_nquads
from kg.builds import build_into
from kg.search import build_id, build_index, index_of
from kg.store import EmbeddedStore, Triples
from kg.submissions.accepted import add_accepted
from kg.validation import ValidationReport, load_shapes, validate_dataset

Progress = Callable[[str], None]
DERIVED_GRAPH = str(GRAPH["derived"])
DERIVATIONS = ("derive-airo-shortcuts",)


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: where, how many files, graphs and quads; what each source import did; how long it took."""

    location: Path
    files: int
    graphs: int
    quads: int
    triples: int
    sources: tuple[ImportReport, ...] = ()
    review: tuple[Candidate, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)
    coverage: dict | None = None  # framework coverage figures, when asked for (kg.frameworks.coverage)


def _quiet(_: str) -> None:
    """Default progress reporter: says nothing."""


def collect(data_dir: Path) -> list[RdfFile]:
    """The files a build reads: the ontology, then every Turtle/TriG file below ``data_dir``."""
    return discover_ontology() + discover_data(data_dir)


def graph_labels(files: list[RdfFile], ingested: Ingested | None = None) -> dict[str, str]:
    """Graph IRI -> file path(s), so that reports name files rather than graphs."""
    labels = {str(f.graph): str(f.path) for f in files if f.graph is not None}
    for report in ingested.reports if ingested else []:
        labels[report.graph] = f"{labels[report.graph]}, {report.file}" if report.graph in labels else report.file
    return labels


def load_and_validate(files: list[RdfFile], progress: Progress = _quiet) -> tuple[Dataset, ValidationReport]:
    """Parse ``files`` (raising DataSyntaxError on the first bad one) and validate them together with pyshacl."""
    progress(f"parsing {len(files)} files")
    dataset = load_files(files)
    progress(f"validating {len(dataset)} triples against the shapes")
    return dataset, validate_dataset(dataset, graph_labels(files))


def assemble(dataset: Dataset, ingested: Ingested) -> bytes:
    """N-Quads of every named graph, and of the default graph as their merge (each statement once)."""
    merged: set[tuple[Node, Node, Node]] = {(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}
    for result in ingested.results:
        merged.update(result.graph)
    named = "".join(
        f"{nquads_term(s)} {nquads_term(p)} {nquads_term(o)} {nquads_term(g)} .\n"
        for s, p, o, g in dataset.quads((None, None, None, None))
    )
    parts = [named] + [result.graph.nquads() for result in ingested.results]
    parts.append("".join(f"{nquads_term(s)} {nquads_term(p)} {nquads_term(o)} .\n" for s, p, o in merged))
    return b"".join(part.encode("utf-8") for part in parts)


def validate_quads(nquads: bytes, labels: dict[str, str]) -> ValidationReport:
    """Check N-Quads (named graphs and their merge as default graph) against the shapes.

    With SPARQL in a scratch store when the shapes allow, else with pyshacl: the same report either way
    (the test suite compares them on every shape fixture).
    """
    if unsupported(load_shapes()) is None:
        return validate_nquads(nquads, labels, merged=True)
    dataset = Dataset()
    dataset.parse(data=nquads, format="nquads")
    named = Dataset()
    named.addN(q for q in dataset.quads((None, None, None, None)) if q[3] != dataset.default_context.identifier)
    return validate_dataset(named, labels)


def build(data_dir: Path, store_path: Path, progress: Progress = _quiet, strict: bool = False,
          submissions: Path | None = None, coverage: bool = False) -> BuildResult:
    """Build a validated store at ``store_path`` from ``data_dir`` and its source datasets.

    On any error the old store stays: a file that does not parse (DataSyntaxError), data that does not
    conform (InvalidData), or, when ``strict``, any rejected source row (RowsRejected). Accepted submissions in the
    database ``submissions`` (when it exists) are part of the build, each in its own graph.
    """
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now

    files = collect(data_dir)
    progress(f"parsing {len(files)} files")
    dataset = load_files(files)
    if submissions is not None and submissions.is_file():
        progress(f"{add_accepted(dataset, submissions)} accepted submissions from {submissions}")
    lap("parse")
    progress("importing the source datasets")
    ingested = ingest(data_dir, dataset)
    for report in ingested.reports:
        distinct = "" if report.incidents is None else f", {report.incidents} distinct incidents"
        progress(
            f"{report.source}: {report.imported} of {report.rows_read} rows imported, "
            f"{len(report.rejected)} rejected{distinct}"
        )
    if strict and ingested.rejected:
        raise RowsRejected(ingested.rejected)
    nquads = assemble(dataset, ingested)
    labels, sources, review = graph_labels(files, ingested), tuple(ingested.reports), tuple(ingested.review)
    del dataset, ingested  # the N-Quads hold it all now; free the terms before the stores are filled
    lap("import")
    progress("validating against the shapes")
    report = validate_quads(nquads, labels)
    lap("validate")
    if not report.conforms:
        raise InvalidData(report)

    def fill(store: EmbeddedStore) -> None:
        progress("writing the store")
        store.bulk_load(nquads, "application/n-quads")
        for name in DERIVATIONS:
            result = store.query(queries.load(name))
            assert isinstance(result, Triples)
            store.add_triples(result.triples, DERIVED_GRAPH)
        progress("writing the search index")
        assert store.location is not None
        build_index(store, index_of(store.location), version=build_id(store.location))

    location = build_into(store_path, fill)
    store = EmbeddedStore.open(store_path)
    lap("store")
    figures = None
    if coverage:  # how many incidents of each source can fill each framework field, into the build's folder
        from kg.frameworks import coverage as framework_coverage
        from kg.frameworks.values import store_runner

        progress("computing the reporting frameworks' coverage")
        figures = framework_coverage.coverage(store_runner(store))
        framework_coverage.write(figures, location)
        lap("coverage")
    result = BuildResult(
        location,
        len(files),
        len(store.graph_names()),
        store.quad_count(),
        store.triple_count(),
        sources,
        review,
        seconds,
        figures,
    )
    progress(f"built {result.triples} triples ({result.quads} quads in {result.graphs} graphs) at {store_path}")
    return result
