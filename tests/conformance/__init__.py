"""Tests that run the W3C SPARQL 1.1 conformance suites against the server."""
