"""Find the ontology and data files and parse them into one rdflib Dataset, one named graph per file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import DataSyntaxError
from kg.namespaces import GRAPH, ONTOLOGY_IRI, bind_prefixes
from kg.resources import ontology_dir

RDF_SUFFIXES = {".ttl": "turtle", ".trig": "trig"}


@dataclass(frozen=True)
class RdfFile:
    """A file to load and the named graph its triples go into (TriG files name their own graphs)."""

    path: Path
    graph: URIRef | None

    @property
    def format(self) -> str:
        return RDF_SUFFIXES[self.path.suffix]


def graph_for(path: Path, root: Path) -> URIRef:
    """The named graph of a data file: ``graph/<path below the data folder, without suffix>``.

    >>> graph_for(Path("data/curated/kings-cross/page.ttl"), Path("data"))
    rdflib.term.URIRef('https://w3id.org/ai-incidents/graph/curated/kings-cross/page')
    """
    return GRAPH[path.relative_to(root).with_suffix("").as_posix()]


def discover_data(root: Path) -> list[RdfFile]:
    """Every Turtle or TriG file below ``root``, in a stable order; hidden folders are skipped."""
    files = [
        path
        for path in sorted(root.rglob("*"))
        if path.suffix in RDF_SUFFIXES
        and path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(root).parts)
    ]
    return [RdfFile(path, None if path.suffix == ".trig" else graph_for(path, root)) for path in files]


def discover_ontology() -> list[RdfFile]:
    """The ontology's files; all go into the graph named by the ontology IRI."""
    return [RdfFile(path, ONTOLOGY_IRI) for path in sorted(ontology_dir().glob("*.ttl"))]


def parse_file(dataset: Dataset, source: RdfFile) -> None:
    """Parse one file into ``dataset``; ``<>`` in a Turtle file names the file's own graph."""
    try:
        if source.graph is None:
            dataset.parse(source.path, format=source.format)
        else:
            dataset.graph(source.graph).parse(source.path, format=source.format, publicID=str(source.graph))
    except BadSyntax as error:
        why = error.args[4] if len(error.args) > 4 else error.message
        raise DataSyntaxError(source.path, error.lines + 1, f"syntax error: {why}") from error
    except (UnicodeDecodeError, ValueError) as error:
        raise DataSyntaxError(source.path, None, f"cannot read: {error}") from error


def load_files(sources: Iterable[RdfFile]) -> Dataset:
    """Parse every file into a new Dataset; stop at the first file that does not parse."""
    dataset = bind_prefixes(Dataset())
    for source in sources:
        parse_file(dataset, source)
    return dataset
