"""Build the graph: load the ontology and data, validate them, and write a fresh store swapped in whole."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset

from kg import queries
from kg.errors import InvalidData
from kg.loading import RdfFile, discover_data, discover_ontology, load_files
from kg.namespaces import GRAPH
from kg.store import EmbeddedStore, Triples, build_into
from kg.validation import ValidationReport, validate_dataset

Progress = Callable[[str], None]
DERIVED_GRAPH = str(GRAPH["derived"])
DERIVATIONS = ("derive-airo-shortcuts",)


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: where, how many files, graphs and quads."""

    location: Path
    files: int
    graphs: int
    quads: int
    triples: int


def _quiet(_: str) -> None:
    """Default progress reporter: says nothing."""


def collect(data_dir: Path) -> list[RdfFile]:
    """The files a build reads: the ontology, then every Turtle/TriG file below ``data_dir``."""
    return discover_ontology() + discover_data(data_dir)


def graph_labels(files: list[RdfFile]) -> dict[str, str]:
    """Graph IRI -> file path, so that reports name files rather than graphs."""
    return {str(f.graph): str(f.path) for f in files if f.graph is not None}


def load_and_validate(files: list[RdfFile], progress: Progress = _quiet) -> tuple[Dataset, ValidationReport]:
    """Parse ``files`` (raising DataSyntaxError on the first bad one) and validate them together."""
    progress(f"parsing {len(files)} files")
    dataset = load_files(files)
    progress(f"validating {len(dataset)} triples against the shapes")
    return dataset, validate_dataset(dataset, graph_labels(files))


def build(data_dir: Path, store_path: Path, progress: Progress = _quiet) -> BuildResult:
    """Build a validated store at ``store_path`` from ``data_dir``; on any error the old store stays."""
    files = collect(data_dir)
    dataset, report = load_and_validate(files, progress)
    if not report.conforms:
        raise InvalidData(report)
    nquads = dataset.serialize(format="nquads", encoding="utf-8")

    def fill(store: EmbeddedStore) -> None:
        progress("writing the store")
        store.load(nquads, "application/n-quads")
        store.merge_graphs_into_default()
        for name in DERIVATIONS:
            result = store.query(queries.load(name))
            assert isinstance(result, Triples)
            store.add_triples(result.triples, DERIVED_GRAPH)

    location = build_into(store_path, fill)
    store = EmbeddedStore.open(store_path)
    result = BuildResult(location, len(files), len(store.graph_names()), store.quad_count(), store.triple_count())
    progress(f"built {result.triples} triples ({result.quads} quads in {result.graphs} graphs) at {store_path}")
    return result
