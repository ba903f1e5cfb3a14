"""Describe one resource of the graph: its concise bounded description, its parts, and labels of what it links to.

IRIs arrive as URL paths; :func:`minted_iri` turns a path into an IRI only when it is one we could have
minted (an allow-listed base, safe path segments, a valid IRI), so nothing a client types reaches a query
except as a checked term bound through substitutions.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID

from kg import queries
from kg.errors import NotFound
from kg.namespaces import BASE, GRAPH, ID, KG, ONTOLOGY_IRI, PREFIXES, SD, bind_prefixes
from kg.store import Boolean, Solutions, Triples, TripleStore, to_ox

DESCRIPTION_CAP = 4000
"""The LIMIT of describe.rq and of describe-labels.rq: a description this long was cut (a hub in thousands of
involvements)."""
SEGMENT = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@-]+")
TERM = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
BASES = {"id": (str(ID), 2), "graph": (str(GRAPH), 1)}
"""The minted IRI spaces a URL path may name, by their first path segment: base IRI, fewest segments."""


def minted_iri(space: str, path: str) -> URIRef:
    """The IRI ``<BASE><space>/<path>`` if ``path`` is a well-formed key path in an allow-listed space.

    >>> minted_iri("id", "incident/AIAAIC0288")
    rdflib.term.URIRef('https://w3id.org/ai-incidents/id/incident/AIAAIC0288')
    >>> minted_iri("id", "incident/<x> } ; DROP")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    kg.errors.NotFound: 'id/incident/<x> } ; DROP' is not an IRI of this dataset: ...
    """
    base, fewest = BASES.get(space, ("", 0))
    segments = path.split("/")
    if (
        not base
        or len(segments) < fewest
        or not all(SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments)
    ):
        raise NotFound(
            f"'{space}/{path}' is not an IRI of this dataset: things are {ID}{{kind}}/{{key}} "
            f"(kinds such as incident, system, org, person, concept/<scheme>)"
        )
    iri = base + path
    try:
        ox.NamedNode(iri)
    except ValueError as error:
        raise NotFound(f"'{space}/{path}' is not a valid IRI: {error}") from None
    return URIRef(iri)


def term_iri(name: str) -> URIRef:
    """The IRI of vocabulary term ``name`` (``def/{name}``), checked to be a plain term name.

    >>> term_iri("Incident")
    rdflib.term.URIRef('https://w3id.org/ai-incidents/def/Incident')
    """
    if not TERM.fullmatch(name):
        raise NotFound(f"'{name}' is not a term name of the vocabulary {ONTOLOGY_IRI}")
    return URIRef(str(KG._NS) + name)


def local_path(iri: str) -> str | None:
    """Where an IRI we mint is served, as a path on our server; None for IRIs of others.

    Things (``id/``) link to their documents (``doc/``); terms, the ontology and graphs are served as they are.

    >>> local_path("https://w3id.org/ai-incidents/id/org/nec"), local_path("https://schema.org/url")
    ('/doc/org/nec', None)
    """
    if not iri.startswith(BASE):
        return None
    rest = iri[len(BASE) :]
    if rest.startswith("id/"):
        return "/doc/" + rest[len("id/") :]
    if rest == "def" or rest.startswith(("def/", "graph/")):
        return "/" + rest
    return None


def exists(store: TripleStore, iri: URIRef) -> bool:
    """Whether the graph says anything about ``iri`` or points at it."""
    answer = store.query(queries.load("exists"), {"resource": iri})
    return isinstance(answer, Boolean) and answer.value


def similar(store: TripleStore, iri: str, limit: int = 5) -> list[URIRef]:
    """IRIs of the same kind as ``iri`` whose keys look like its key (for a helpful "not found").

    The keys of a kind are read once per process and kind (similar.rq reads every typed resource), so a 404
    costs a scan only the first time.
    """
    prefix, _, key = iri.rpartition("/")
    if not iri.startswith(BASE) or not key:
        return []
    keys = _keys_of_kind(store, prefix + "/")
    close = difflib.get_close_matches(key.lower(), list(keys), n=limit, cutoff=0.6)
    return [URIRef(keys[k]) for k in close]


@lru_cache(maxsize=32)
def _keys_of_kind(store: TripleStore, prefix: str) -> dict[str, str]:
    """Lower-cased key -> IRI of every resource whose IRI starts with ``prefix``."""
    result = store.query(queries.load("similar"), {"prefix": Literal(prefix)})
    assert isinstance(result, Solutions)
    return {str(row["candidate"])[len(prefix) :].lower(): str(row["candidate"]) for row in result.rows}


DOCUMENT = ("describe", "describe-labels", "referrers")
"""The queries of an RDF document's description."""
PAGE = ("page-describe", "page-describe-labels", "page-referrers")
"""The queries of an HTML page's description: the same patterns, with the smaller LIMITs a page shows of a hub."""


def describe(store: TripleStore, iri: URIRef, names: tuple[str, str, str] = DOCUMENT) -> Graph:
    """The description of ``iri`` as an rdflib graph; NotFound when the graph knows nothing of it.

    Bounded: its own statements and parts (describe.rq, at most DESCRIPTION_CAP), the labels of what they
    mention (describe-labels.rq, as many) and at most 1000 of the resources that point at it (referrers.rq);
    :func:`referrer_counts` says how many there are in all. With ``names=PAGE``, what an HTML page shows (at
    most 500, 500 and 100).
    """
    graph = bind_prefixes(Graph())
    for name in names:
        result = store.query(queries.load(name), {"resource": iri})
        assert isinstance(result, Triples)
        for triple in result.triples:
            graph.add(triple)
    if not len(graph):
        raise NotFound(f"nothing is known about <{iri}>")
    return graph


def referrer_counts(store: TripleStore, iri: URIRef) -> dict[str, int]:
    """Property IRI -> how many resources point at ``iri`` through it (rdf:type aside)."""
    result = store.query(queries.load("referrer-counts"), {"resource": iri})
    assert isinstance(result, Solutions)
    return {str(row["p"]): int(row["count"]) for row in result.rows}


def serialize(graph: Graph, media_type: str, output: BinaryIO) -> None:
    """Write ``graph`` in ``media_type`` with the engine's writers (Turtle with our prefixes)."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise NotFound(f"no RDF format for {media_type}")
    triples: list[ox.Triple | ox.Quad] = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in graph]  # type: ignore[arg-type]
    if fmt.supports_datasets:
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    prefixes = dict(PREFIXES) if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) else None
    ox.serialize(triples, output, format=fmt, prefixes=prefixes)


def describe_graph(store: TripleStore, iri: URIRef) -> Graph:
    """A named graph's description: what the data says of it (title, source) and how many statements it holds."""
    size = store.query(queries.load("graph-size"), {"graph": iri})
    assert isinstance(size, Solutions)
    if not size.rows:
        raise NotFound(f"there is no named graph <{iri}>")
    graph = describe(store, iri) if exists(store, iri) else bind_prefixes(Graph())
    graph.add((iri, RDF.type, SD.NamedGraph))
    graph.add((iri, VOID.triples, size.rows[0]["triples"]))
    return graph


def write_description(store: TripleStore, iri: URIRef, media_type: str, output: BinaryIO) -> None:
    """Serialise the (bounded) description of ``iri`` in ``media_type`` (an RDF format) into ``output``."""
    serialize(describe(store, iri), media_type, output)


def describe_term(store: TripleStore, iri: URIRef) -> Graph:
    """What the ontology says about one of its terms, with the labels of what it refers to."""
    result = store.query(queries.load("describe-term"), {"term": iri, "ontology": ONTOLOGY_IRI})
    assert isinstance(result, Triples)
    if not any(s == iri for s, _, _ in result.triples):
        raise NotFound(f"the vocabulary {ONTOLOGY_IRI} defines no term <{iri}>")
    graph = bind_prefixes(Graph())
    for triple in result.triples:
        graph.add(triple)
    return graph


def write_term(store: TripleStore, iri: URIRef, media_type: str, output: BinaryIO) -> None:
    """Serialise what the ontology says about ``iri`` (or, for the ontology IRI, the whole ontology)."""
    if iri == ONTOLOGY_IRI:
        store.query_into(output, queries.load("ontology"), {"graph": media_type}, {"ontology": ONTOLOGY_IRI})
        return
    describe_term(store, iri)
    store.query_into(output, queries.load("describe-term"), {"graph": media_type}, {"term": iri, "ontology": ONTOLOGY_IRI})
