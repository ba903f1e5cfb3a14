"""The HTTP adapter over the ``kg`` library: a query-only SPARQL endpoint, the query page, health."""

from server.app import create_app

__all__ = ["create_app"]
