"""Syntax errors as a person reads them: the engine's own errors on real queries, through the store and the
remote stores' syntax check, rewritten by kg.query_errors (no store build needed)."""

from __future__ import annotations

import pytest

from kg.errors import QueryError
from kg.namespaces import PREFIXES
from kg.store import EmbeddedStore, check_syntax

CASES = [
    ("SELECT * WHERE { ?s foo:bar ?o }", "line 1, column 21: unknown prefix 'foo:'"),
    ("SELECT * WHERE {\n  ?s rdf:type kgg:Incident }", "line 2, column 15: unknown prefix 'kgg:'. Did you mean kg:?"),
    ("SELEC * WHERE { ?s ?p ?o }", "line 1, column 1: 'SELEC' is not a SPARQL keyword: did you mean SELECT?"),
    ("SELECT * WHERE {\n  ?s ?p ?o\n  FILTR(?o) }", "line 3, column 3: 'FILTR' is not a SPARQL keyword: did you mean FILTER?"),
    ("SELECT * WHERE { ?s ?p ?o } LIMT 5", "did you mean LIMIT?"),
    ("DELETE WHERE { ?s ?p ?o }", "this endpoint is read-only: DELETE is a SPARQL update"),
    ("PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }", "line 2, column 1: this endpoint is read-only: INSERT"),
    ("SELECT * WHERE { ?s ?p ?o ", "line 1, column 27: the query is incomplete"),
]


@pytest.mark.parametrize(("query", "says"), CASES)
def test_the_embedded_store_explains(query: str, says: str) -> None:
    with pytest.raises(QueryError) as raised:
        EmbeddedStore.in_memory().query(query)
    assert says in str(raised.value)
    assert "\\u{" not in str(raised.value), "no Unicode ranges"


@pytest.mark.parametrize(("query", "says"), CASES)
def test_the_remote_stores_check_explains_the_same(query: str, says: str) -> None:
    with pytest.raises(QueryError) as raised:
        check_syntax(query)
    assert says in str(raised.value)


def test_an_unknown_prefix_lists_the_known_ones_and_the_declaration() -> None:
    with pytest.raises(QueryError) as raised:
        check_syntax("SELECT * WHERE { ?s foo:bar ?o }")
    message = str(raised.value)
    assert "PREFIX foo: <" in message
    assert all(f"{name}:" in message for name in PREFIXES)


def test_a_keyword_inside_a_string_or_iri_is_not_taken_for_a_misspelling() -> None:
    with pytest.raises(QueryError) as raised:
        check_syntax('SELECT * WHERE { ?s ?p "SELEC" ; <http://x/FILTR> ?o ')
    assert "did you mean" not in str(raised.value)
