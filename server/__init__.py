"""The HTTP adapter over the ``kg`` library (SPARQL endpoint, pages, dumps)."""
