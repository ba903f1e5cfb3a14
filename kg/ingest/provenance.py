"""Where imported statements come from: the dataset each source file is, and one record node per row."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

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

    def record(self, graph: TripleSet, local_id: str, label: str, suffix: str = "") -> URIRef:
        """The DatasetRecord node of one row, identified by the source's own ID (``label`` says which row)."""
        node = ID[f"source/{self.key}-{local_id}{suffix}"]
        graph.add((node, RDF.type, KG.DatasetRecord))
        graph.add((node, DCTERMS.title, Literal(f"{self.title}, {label}", lang="en")))
        graph.add((node, SKOS.notation, Literal(local_id)))
        graph.add((node, SCHEMA.publisher, self.publisher))
        graph.add((node, DCTERMS.isPartOf, self.node))
        return node


def involvement(
    graph: TripleSet,
    incident_key: str,
    dataset: SourceDataset,
    role: URIRef,
    agent: URIRef,
    target: URIRef,
    source: URIRef,
) -> URIRef:
    """An alleged involvement of ``agent`` in ``target`` with ``role``, resting on the row ``source``."""
    role_name = str(role).rsplit("/", 1)[-1]
    agent_key = str(agent).rsplit("/", 1)[-1]
    node = ID[f"involvement/{incident_key}-{dataset.key}-{role_name}-{agent_key}"]
    graph.add((node, RDF.type, KG.Involvement))
    graph.add((node, KG.involvedIn, target))
    graph.add((node, KG.agent, agent))
    graph.add((node, KG.role, role))
    graph.add((node, KG.status, KG.alleged))
    graph.add((node, KG.source, source))
    return node
