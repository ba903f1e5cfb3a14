"""The jobs behind the Linked Data pages, the vocabulary, VoID and the release's metadata, run in a worker.

Each page is one job, so it is one worker call under one deadline and one charge to the client's budget,
never more than the query time limit, and the graph work (descriptions, summaries) stays off the event loop.
They read the store only through named queries (kg/queries) with bound values, by way of kg.describe,
kg.vocabulary, kg.void and kg.licence. A page's value is what the router renders: a Summary or VocabularyIndex
(HTML), Serialized RDF, or Missing (a 404 with suggestions for people).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache, partial

from rdflib import Graph, URIRef

from kg import describe
from kg.cite import Citation, citation
from kg.feeds import ReleaseChanges, atom_feed, label_of
from kg.incident_page import incident_profile
from kg.display import Ref
from kg.errors import NotFound
from kg.licence import rights_statement
from kg.namespaces import ID, KG, ONTOLOGY_IRI
from kg.store import Triples, TripleStore
from kg.summary import Summary, summarise
from kg.vocabulary import VocabularyIndex, index, ontology_graph, property_labels
from kg.void import describe_dataset
from server.jobs import Limits, Serialized

HTML = "text/html"
INCIDENTS = f"{ID}incident/"


@dataclass(frozen=True)
class Missing:
    """Nothing is known: the message, and IRIs that look close (asked for people only)."""

    message: str
    similar: tuple[Ref, ...] = ()


@lru_cache(maxsize=4)
def _labels(store: TripleStore) -> dict[str, str]:
    """The vocabulary's property labels, read once per worker (the ontology changes only with a build)."""
    return property_labels(ontology_graph(store))


def _rdf(graph: Graph, media_type: str) -> Serialized:
    out = io.BytesIO()
    describe.serialize(graph, media_type, out)
    return Serialized(media_type, out.getvalue())


def suggestions(store: TripleStore, asked: str) -> tuple[Ref, ...]:
    """Links to the IRIs that look like ``asked``."""
    return tuple(Ref(str(i), str(i).rsplit("/", 1)[-1], describe.local_path(str(i))) for i in describe.similar(store, asked))


def _described(store: TripleStore, iri: URIRef, media_type: str, find: Callable[[TripleStore, URIRef], Graph],
               suggest: bool = False) -> Graph | Serialized | Missing:
    """What ``find`` says of ``iri``: the graph for an HTML page to summarise, or already the answer (the RDF in
    ``media_type``, or Missing with, if ``suggest``, the IRIs that look close)."""
    try:
        found = find(store, iri)
    except NotFound as error:
        return Missing(str(error), suggestions(store, str(iri)) if suggest else ())
    if media_type != HTML:
        return _rdf(found, media_type)
    return found


@dataclass(frozen=True)
class Suggestions:
    """IRIs that look like one that is not known (for a 404 page)."""

    asked: str

    def run(self, store: TripleStore, limits: Limits) -> tuple[Ref, ...]:
        return suggestions(store, self.asked)


@dataclass(frozen=True)
class DocumentPage:
    """The document about a thing (``/doc/…``) or a named graph (``/graph/…``), in HTML or RDF."""

    iri: URIRef
    graph: bool
    media_type: str
    suggest: bool = False

    def run(self, store: TripleStore, limits: Limits) -> Summary | Serialized | Missing:
        names = describe.PAGE if self.media_type == HTML else describe.DOCUMENT  # a page shows less of a hub
        find = describe.describe_graph if self.graph else partial(describe.describe, names=names)
        found = _described(store, self.iri, self.media_type, find, self.suggest)
        if not isinstance(found, Graph):
            return found
        summary = summarise(found, self.iri, _labels(store))
        counts = describe.referrer_counts(store, self.iri)
        summary.referrers = [replace(f, total=max(f.total, counts.get(f.prop.iri, 0))) for f in summary.referrers]
        summary.involvements_shown = len(set(found.subjects(KG.agent, self.iri)))
        summary.involvements_total = max(summary.involvements_shown, counts.get(str(KG.agent), 0))
        if str(self.iri).startswith(INCIDENTS):
            summary.incident = incident_profile(store, self.iri)
            summary.citation = citation(store, str(self.iri))
        return summary


@dataclass(frozen=True)
class TermPage:
    """A term of the vocabulary (``/def/{Term}``), or with ``iri`` the ontology's IRI, the ontology (``/def``)."""

    iri: URIRef
    media_type: str

    def run(self, store: TripleStore, limits: Limits) -> Summary | VocabularyIndex | Serialized | Missing:
        if self.iri == ONTOLOGY_IRI:
            if self.media_type == HTML:
                return index(ontology_graph(store))
            return _rdf(ontology_graph(store), self.media_type)
        found = _described(store, self.iri, self.media_type, describe.describe_term)
        if not isinstance(found, Graph):
            return found
        return summarise(ontology_graph(store), self.iri, _labels(store))


@dataclass(frozen=True)
class DatasetDescription:
    """The VoID description of the dataset, as triples (any format is written from them)."""

    dataset: URIRef
    endpoint: str
    dumps: tuple[str, ...]
    homepage: str | None

    def run(self, store: TripleStore, limits: Limits) -> Triples:
        return Triples(list(describe_dataset(store, self.dataset, self.endpoint, self.dumps, self.homepage)))


@dataclass(frozen=True)
class RightsStatement:
    """The licence notice and the attributions the data states (for the release's listing)."""

    def run(self, store: TripleStore, limits: Limits) -> str:
        return rights_statement(store)


@dataclass(frozen=True)
class IncidentCitation:
    """What a citation of an incident says (kg.cite; the router writes it as BibTeX, RIS or CSL-JSON)."""

    iri: str

    def run(self, store: TripleStore, limits: Limits) -> Citation:
        return citation(store, self.iri)


@dataclass(frozen=True)
class ReleaseFeed:
    """The Atom feed of a release's changes, for the whole graph or (``about``) one organisation, concept or country."""

    changes: ReleaseChanges
    self_url: str
    site_url: str
    updated: datetime
    about: str | None = None

    def run(self, store: TripleStore, limits: Limits) -> str:
        if self.about is not None and not describe.exists(store, URIRef(self.about)):
            raise NotFound(f"nothing is known about <{self.about}>: there is no feed about it")
        label = label_of(store, self.about) if self.about is not None else None
        return atom_feed(store, self.changes, self_url=self.self_url, site_url=self.site_url, updated=self.updated,
                         about=self.about, about_label=label)
