"""The service description of the endpoint (SPARQL 1.1 Service Description with a VoID description of the data)."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg import queries
from kg.settings import Settings


def endpoint_iri(settings: Settings) -> str:
    """The endpoint's public IRI."""
    return settings.public_url.rstrip("/") + "/sparql"


def limits_sentence(settings: Settings) -> str:
    """The limits a client meets, stated once for people (published in the description)."""
    budget = (
        f"each client (IP address and User-Agent) has {settings.client_budget:g} s of query time per minute, "
        f"bursts of {settings.client_burst:g} s, then 429 with Retry-After"
        if settings.client_budget
        else "no per-client budget"
    )
    fetch = "SERVICE only to " + ", ".join(settings.service_allow) if settings.service_allow else "SERVICE is refused"
    return (
        f"Query-only SPARQL 1.1 endpoint (updates are refused). Each query may run {settings.query_timeout:g} s "
        f"(then 503); a result may hold {settings.max_rows} rows or triples and {settings.max_result_bytes} bytes "
        f"(larger results are refused with 422, never cut); request bodies up to {settings.max_body_bytes} bytes; "
        f"{budget}; {fetch}; default-graph-uri and named-graph-uri name graphs held here and are never fetched."
    )


def description_query() -> str:
    """The CONSTRUCT query that describes the service."""
    return queries.load("service-description")


def description_bindings(settings: Settings) -> dict[str, Node]:
    """The values the description query needs."""
    endpoint = endpoint_iri(settings)
    return {
        "endpoint": URIRef(endpoint),
        "dataset": URIRef(endpoint + "#dataset"),
        "defaultGraph": URIRef(endpoint + "#default-graph"),
        "limits": Literal(limits_sentence(settings)),
    }
