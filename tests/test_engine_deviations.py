"""Where the engines deviate from SPARQL 1.1 (W3C query-evaluation tests, our data), through the endpoint, on both
backends: the answer is right, or a 400 that names the deviation; never a wrong answer.

- several default graphs (``FROM`` twice, ``default-graph-uri`` twice) are their RDF merge: each statement once;
- ``GRAPH ?g { P MINUS Q }`` with no shared variable (``negation/graph-minus``);
- a zero-length path from or to a term not in the data (``zero_or_more_set_*``, ``zero_or_one_set_*``).

Expected answers are computed independently: the merge as DISTINCT over the named graphs, the MINUS as the query
without it (it removes nothing), the zero-length path as the term itself.
"""

from __future__ import annotations

import httpx
import pytest
from live_server import LiveServer

from kg.store import Solutions, TripleStore

JSON = "application/sparql-results+json"
INCIDENT = "https://w3id.org/ai-incidents/id/incident/AIAAIC0288"
MISSING = "urn:kg-test:not-in-the-data"


def _ask(server: LiveServer, query: str, **params: object) -> httpx.Response:
    return httpx.post(server.endpoint, data={"query": query, **params}, headers={"Accept": JSON}, timeout=120)


def _values(response: httpx.Response, name: str) -> list[str]:
    assert response.status_code == 200, response.text
    return [row[name]["value"] for row in response.json()["results"]["bindings"] if name in row]


@pytest.fixture(scope="module")
def two_exports(store: TripleStore) -> tuple[str, str]:
    """The named graphs of the two AIAAIC exports (they state many of the same triples)."""
    graphs = sorted(g for g in store.graph_names() if "aiaaic" in g.lower() and "incidents" in g.lower())
    assert len(graphs) >= 2, graphs
    return graphs[0], graphs[1]


def _distinct_count(store: TripleStore, graphs: tuple[str, str]) -> int:
    query = ("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { VALUES ?g { <%s> <%s> } "
             "GRAPH ?g { ?s ?p ?o } } }" % graphs)
    result = store.query(query)
    assert isinstance(result, Solutions)
    return int(result.rows[0]["n"])


def test_several_from_graphs_are_merged(live_server: LiveServer, store: TripleStore, two_exports: tuple[str, str]) -> None:
    merged = _distinct_count(store, two_exports)
    sizes = [int(store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{g}> {{ ?s ?p ?o }} }}").rows[0]["n"]) for g in two_exports]  # type: ignore[union-attr]
    assert merged < sum(sizes)  # the exports overlap: adding them up would be wrong
    query = "SELECT (COUNT(*) AS ?n) FROM <%s> FROM <%s> WHERE { ?s ?p ?o }" % two_exports
    assert _values(_ask(live_server, query), "n") == [str(merged)]
    protocol = _ask(live_server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", **{"default-graph-uri": list(two_exports)})
    assert _values(protocol, "n") == [str(merged)]


def test_a_statement_in_two_default_graphs_matches_once(live_server: LiveServer, two_exports: tuple[str, str]) -> None:
    query = "SELECT ?type FROM <%s> FROM <%s> WHERE { <%s> a ?type }" % (*two_exports, INCIDENT)
    types = _values(_ask(live_server, query), "type")
    assert types and len(types) == len(set(types)), types


def test_minus_inside_graph_with_disjoint_sides(live_server: LiveServer) -> None:
    body = "?a a kg:Incident"
    minus = f"SELECT ?a WHERE {{ GRAPH ?g {{ {body} MINUS {{ ?b a kg:Incident }} }} }} ORDER BY ?a LIMIT 5"
    plain = f"SELECT ?a WHERE {{ GRAPH ?g {{ {body} }} }} ORDER BY ?a LIMIT 5"
    answer = _ask(live_server, minus)
    if answer.status_code == 400:
        assert "negation/graph-minus" in answer.text, answer.text
    else:
        expected = _values(_ask(live_server, plain), "a")
        assert expected and _values(answer, "a") == expected


@pytest.mark.parametrize(
    ("query", "variable"),
    [(f"SELECT ?x WHERE {{ <{MISSING}> skos:broader* ?x }}", "x"),
     (f"SELECT ?x WHERE {{ ?x skos:broader* <{MISSING}> }}", "x"),
     (f"SELECT ?x WHERE {{ <{MISSING}> skos:broader? ?x }}", "x"),
     (f"SELECT ?x WHERE {{ ?x skos:broader? <{MISSING}> }}", "x")],
    ids=["zero_or_more_set_start", "zero_or_more_set_end", "zero_or_one_set_start", "zero_or_one_set_end"],
)
def test_zero_length_path_from_a_term_not_in_the_data(live_server: LiveServer, query: str, variable: str) -> None:
    answer = _ask(live_server, query)
    if answer.status_code == 400:
        assert "zero-length path" in answer.text and MISSING in answer.text, answer.text
    else:
        assert _values(answer, variable) == [MISSING]


def test_zero_length_path_from_a_term_in_the_data_is_answered(live_server: LiveServer) -> None:
    answer = _ask(live_server, f"SELECT ?x WHERE {{ <{INCIDENT}> skos:broader* ?x }}")
    assert INCIDENT in _values(answer, "x")
