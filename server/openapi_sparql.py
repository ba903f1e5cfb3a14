"""The OpenAPI description of ``/sparql`` (server/sparql_endpoint.py), which reads the raw request itself.

The SPARQL 1.1 Protocol allows repeated ``default-graph-uri`` / ``named-graph-uri`` and a query in the URL,
a form or the body, so the handler parses the request itself (server.protocol); this tells API clients and
schema-driven testers (schemathesis) what it accepts and answers.
"""

from __future__ import annotations

from server.negotiation import FORMATS

_GRAPHS = {"type": "array", "items": {"type": "string", "format": "uri"}}
_QUERY = {"type": "string", "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE); updates get 403."}
_FORMAT = {"type": "string", "description": f"Results format instead of Accept: {', '.join(FORMATS)}, or a media type."}


def _parameter(name: str, schema: dict[str, object], description: str) -> dict[str, object]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description,
            "style": "form", "explode": True}


_RESULTS = {media: {} for media in (
    "application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values",
    "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")}
_RESPONSES = {
    "200": {"description": "The results, in the negotiated format.", "content": _RESULTS},
    "400": {"description": "The request or the query is malformed."},
    "403": {"description": "An update: this endpoint answers queries only."},
    "406": {"description": "No acceptable media type for this kind of result."},
    "422": {"description": "The result is over the row or byte cap (never cut)."},
    "429": {"description": "This client's query-time budget or in-flight limit is spent (Retry-After)."},
    "503": {"description": "Busy, timed out, or the store is unavailable (Retry-After when retrying helps)."},
}

SPARQL_GET = {
    "summary": "Run a query (SPARQL 1.1 Protocol, GET), or describe the service when there is none",
    "operationId": "sparql_get",
    "responses": _RESPONSES,
    "parameters": [
        _parameter("query", _QUERY, "The query; without it the service description is returned."),
        _parameter("default-graph-uri", _GRAPHS, "Graphs whose merge is the default graph (stored graphs only)."),
        _parameter("named-graph-uri", _GRAPHS, "Graphs the query may name with GRAPH (stored graphs only)."),
        _parameter("format", _FORMAT, _FORMAT["description"]),
    ]
}
"""The OpenAPI operation ``GET /sparql``."""

SPARQL_POST = {
    "summary": "Run a query sent as a form (query=) or as the body (application/sparql-query)",
    "operationId": "sparql_post",
    "responses": _RESPONSES,
    "parameters": SPARQL_GET["parameters"][1:],  # type: ignore[index]
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["query"],
                    "properties": {"query": _QUERY, "default-graph-uri": _GRAPHS, "named-graph-uri": _GRAPHS},
                }
            },
            "application/sparql-query": {"schema": _QUERY},
        },
    },
}
"""The OpenAPI operation ``POST /sparql``: a form, or the query itself as the body."""
