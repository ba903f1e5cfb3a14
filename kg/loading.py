"""Find the ontology and data files and parse them into one rdflib Dataset, one named graph per file.

Every file is checked before it is parsed (kg.file_checks: size, line length, XML entities, JSON-LD nesting and
remote contexts), and any parser failure becomes a DataSyntaxError naming the file and, when known, the line.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import DataSyntaxError
from kg.file_checks import Limits, read_checked
from kg.namespaces import GRAPH, ONTOLOGY_IRI, bind_prefixes
from kg.resources import ontology_dir

RDF_SUFFIXES = {".ttl": "turtle", ".trig": "trig", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}
"""File suffix -> rdflib parser; TriG files name their own graphs, the others go into the file's graph."""
FORMAT_NAMES = {"turtle": "Turtle", "trig": "TriG", "nt": "N-Triples", "json-ld": "JSON-LD", "xml": "RDF/XML"}


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


def parse_file(dataset: Dataset, source: RdfFile, limits: Limits | None = None) -> None:
    """Parse one file into ``dataset``; ``<>`` in a Turtle file names the file's own graph.

    The file is checked against ``limits`` first (default: the settings'); on an error its triples may be partly
    in ``dataset``, which the caller then drops (load_files raises, so no build goes on with it).
    """
    data = read_checked(source.path, source.format, limits or Limits.from_settings())
    try:
        if source.graph is None:
            dataset.parse(data=data, format=source.format, publicID=source.path.resolve().as_uri())
        else:
            dataset.graph(source.graph).parse(data=data, format=source.format, publicID=str(source.graph))
    except Exception as error:
        raise _syntax_error(source, data, error) from error


def _syntax_error(source: RdfFile, data: bytes, error: Exception) -> DataSyntaxError:
    """The file, line and reason of a parser's failure."""
    name = FORMAT_NAMES[source.format]
    if isinstance(error, BadSyntax):
        why = error.args[4] if len(error.args) > 4 else error.message
        return DataSyntaxError(source.path, error.lines + 1, f"{name} syntax error: {why}")
    if isinstance(error, SAXParseException):
        return DataSyntaxError(source.path, error.getLineNumber(), f"{name} error: {error.getMessage()}")
    if isinstance(error, UnicodeDecodeError):
        return DataSyntaxError(source.path, data.count(b"\n", 0, error.start) + 1, "not UTF-8")
    if isinstance(error, RecursionError):
        return DataSyntaxError(source.path, None, f"{name} nested too deeply to parse")
    line = _first_bad_line(data) if source.format == "nt" else None
    reason = str(error).strip().splitlines()[0][:300] if str(error).strip() else type(error).__name__
    return DataSyntaxError(source.path, line, f"cannot parse as {name}: {reason}")


def _first_bad_line(data: bytes) -> int | None:
    """The first line of an N-Triples file that does not parse on its own (rdflib's error does not say).

    Only the first 20,000 lines are tried, one parser each, to keep a failure cheap to report.
    """
    for number, line in enumerate(islice(io.BytesIO(data), 20_000), start=1):
        try:
            Graph().parse(data=line, format="nt")
        except Exception:  # noqa: BLE001 - any failure marks the line
            return number
    return None


def load_files(sources: Iterable[RdfFile], limits: Limits | None = None) -> Dataset:
    """Parse every file into a new Dataset; stop at the first file that does not parse (nothing is returned then)."""
    limits = limits or Limits.from_settings()
    dataset = bind_prefixes(Dataset())
    for source in sources:
        parse_file(dataset, source, limits)
    return dataset
