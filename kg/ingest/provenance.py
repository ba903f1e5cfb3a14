"""Where imported statements come from: the dataset each source file is, and one record node per row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from kg.ingest.slugs import slug
from kg.ingest.triples import TripleSet
from kg.namespaces import GRAPH, ID, KG, SCHEMA

CC_BY_SA = URIRef("https://creativecommons.org/licenses/by-sa/4.0/")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class SourceDataset:
    """One source file as a dataset: its key, graph, title, publisher, licence, snapshot and origin."""

    key: str
    graph_name: str
    title: str
    publisher: URIRef
    snapshot: str
    origin: str
    licence: URIRef | None = None
    attribution: str | None = None

    @property
    def graph(self) -> URIRef:
        return GRAPH[self.graph_name]

    @property
    def node(self) -> URIRef:
        """The source node standing for the whole dataset (file)."""
        return ID[f"source/{self.key}"]

    def new_graph(self) -> TripleSet:
        """An empty graph for this dataset's statements, saying where they come from."""
        graph = TripleSet(self.graph)
        graph.add((self.graph, PROV.wasDerivedFrom, self.node))
        graph.add((self.node, RDF.type, KG.Source))
        graph.add((self.node, DCTERMS.title, Literal(self.title, lang="en")))
        graph.add((self.node, SCHEMA.publisher, self.publisher))
        graph.add((self.node, SCHEMA.url, URIRef(self.origin)))
        if self.licence is not None:
            graph.add((self.node, DCTERMS.license, self.licence))
        if self.attribution:
            graph.add((self.node, DCTERMS.bibliographicCitation, Literal(self.attribution, lang="en")))
        return graph

    def record(self, graph: TripleSet, local_id: str, label: str, suffix: str = "", line: int | None = None) -> URIRef:
        """The DatasetRecord node of one row, identified by the source's own ID (``label`` says which row).

        ``line`` is the line of the file the row starts on (kg:sourceRow).
        """
        node = ID[f"source/{self.key}-{local_id}{suffix}"]
        graph.add((node, RDF.type, KG.DatasetRecord))
        if line is not None:
            graph.add((node, KG.sourceRow, Literal(line, datatype=XSD.integer)))
        graph.add((node, DCTERMS.title, Literal(f"{self.title}, {label}", lang="en")))
        graph.add((node, SKOS.notation, Literal(local_id)))
        graph.add((node, SCHEMA.publisher, self.publisher))
        graph.add((node, DCTERMS.isPartOf, self.node))
        return node


def cells(graph: TripleSet, record: URIRef, written: Iterable[tuple[str, str]]) -> int:
    """Keep the non-empty cells ``(column, text as written)`` of a row on its record; returns how many were kept.

    Each is a kg:SourceCell ``<record>/cell/<column slug>`` with kg:column and rdf:value, the text untouched.
    """
    kept = 0
    for column, text in written:
        if not text.strip():
            continue
        cell = URIRef(f"{record}/cell/{slug(column) or 'column'}")
        graph.add((record, KG.cell, cell))
        graph.add((cell, KG.column, Literal(column)))
        graph.add((cell, RDF.value, Literal(text)))
        kept += 1
    return kept


def involvement(
    graph: TripleSet,
    incident_key: str,
    dataset: SourceDataset,
    role: URIRef,
    agent: URIRef,
    target: URIRef,
    source: URIRef,
    written: str | None = None,
) -> URIRef:
    """An alleged involvement of ``agent`` in ``target`` with ``role``, resting on the row ``source``.

    ``written`` is the name as the row gave it (kg:sourceLabel), whatever node it resolved to.
    """
    role_name = str(role).rsplit("/", 1)[-1]
    agent_key = str(agent).rsplit("/", 1)[-1]
    node = ID[f"involvement/{incident_key}-{dataset.key}-{role_name}-{agent_key}"]
    graph.add((node, RDF.type, KG.Involvement))
    graph.add((node, KG.involvedIn, target))
    graph.add((node, KG.agent, agent))
    graph.add((node, KG.role, role))
    graph.add((node, KG.status, KG.alleged))
    graph.add((node, KG.source, source))
    if written is not None:
        graph.add((node, KG.sourceLabel, Literal(written)))
    return node
