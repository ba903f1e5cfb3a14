"""The OpenAPI description of ``/sparql``'s protocol parameters, which its routes read from the raw request.

The SPARQL 1.1 Protocol allows repeated ``default-graph-uri`` / ``named-graph-uri`` and a query in the URL,
a form or the body, so the routes parse the request themselves (server.protocol); this tells API clients and
schema-driven testers (schemathesis) what they accept.
"""

from __future__ import annotations

from server.negotiation import FORMATS

_GRAPHS = {"type": "array", "items": {"type": "string", "format": "uri"}}
_QUERY = {"type": "string", "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE); updates get 403."}
_FORMAT = {"type": "string", "description": f"Results format instead of Accept: {', '.join(FORMATS)}, or a media type."}


def _parameter(name: str, schema: dict[str, object], description: str) -> dict[str, object]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description,
            "style": "form", "explode": True}


SPARQL_GET = {
    "parameters": [
        _parameter("query", _QUERY, "The query; without it the service description is returned."),
        _parameter("default-graph-uri", _GRAPHS, "Graphs whose merge is the default graph (stored graphs only)."),
        _parameter("named-graph-uri", _GRAPHS, "Graphs the query may name with GRAPH (stored graphs only)."),
        _parameter("format", _FORMAT, _FORMAT["description"]),
    ]
}
"""``openapi_extra`` of ``GET /sparql``."""

SPARQL_POST = {
    "parameters": SPARQL_GET["parameters"][1:],
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
"""``openapi_extra`` of ``POST /sparql``: a form, or the query itself as the body."""
