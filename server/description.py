"""The service's own descriptions as jobs: the SPARQL service description and the dataset's VoID.

Both read statistics of the whole store (seconds of work), so the app computes them once per data version when
it starts (``Executor.warm``, with a longer limit) and clients are answered from that copy; each is a job whose
value is a list of triples, serialised in the format a client asks for.
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.release import Release
from kg.settings import Settings
from server.jobs import NamedQuery, pairs
from server.page_jobs import DatasetDescription

VOID_PATH = "/.well-known/void"


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


def description_job(settings: Settings) -> NamedQuery:
    """The job that describes the service (service-description.rq, its values bound)."""
    return NamedQuery("service-description", pairs(description_bindings(settings)))


def void_job(settings: Settings, release: Release | None) -> DatasetDescription:
    """The job that writes the VoID of the dataset served (its dumps: the files of ``release``)."""
    base = settings.public_url.rstrip("/")
    dumps = tuple(base + "/dumps/" + f.name for f in release.files if f.name.startswith("ai-incidents")) if release else ()
    return DatasetDescription(URIRef(base + VOID_PATH + "#ai-incidents"), endpoint_iri(settings), dumps, base + "/")


def description_bindings(settings: Settings) -> dict[str, Node]:
    """The values the description query needs."""
    endpoint = endpoint_iri(settings)
    return {
        "endpoint": URIRef(endpoint),
        "dataset": URIRef(endpoint + "#dataset"),
        "defaultGraph": URIRef(endpoint + "#default-graph"),
        "limits": Literal(limits_sentence(settings)),
    }
