"""Bound values for a SPARQL endpoint without substitutions: terms written safely into a VALUES block."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import QueryError
from kg.sparql_lexer import COMMENT, IRIREF, STRING

IRI = re.compile(r'[^<>"{}|^`\\\x00-\x20]*')
"""What may stand between ``<`` and ``>`` (SPARQL's IRIREF): anything else could break out of the IRI."""


def sparql_term(term: Node) -> str:
    """A term as SPARQL text, for a VALUES clause; IRIs that could break out of ``<...>`` are refused.

    >>> sparql_term(Literal('x" } UNION { ?s ?p ?o } #'))
    '"x\\\\" } UNION { ?s ?p ?o } #"'
    """
    if isinstance(term, URIRef):
        if not IRI.fullmatch(str(term)):
            raise QueryError(f"cannot bind the query's values: {str(term)!r} is not an IRI")
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.datatype is not None and not IRI.fullmatch(str(term.datatype)):
            raise QueryError(f"cannot bind the query's values: bad datatype {str(term.datatype)!r}")
        return term.n3()
    raise QueryError(f"cannot bind the query's values: {term!r} is not an IRI or a literal")


_TOKENS = re.compile(
    rf"{STRING}|{IRIREF}|{COMMENT}|(?<![?$\w:])(?:WHERE|SELECT|CONSTRUCT|DESCRIBE|ASK)\b|\{{",
    re.IGNORECASE,
)


def _keywords(sparql: str) -> list[re.Match[str]]:
    """The braces and query keywords of ``sparql``, outside strings, IRIs and comments."""
    return [m for m in _TOKENS.finditer(sparql) if m.group()[0] not in "\"'<#"]


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query keyword (SELECT if none is found).

    >>> query_form('PREFIX a: <http://ex/ASK#> # CONSTRUCT\\nDESCRIBE <http://ex/select>')
    'DESCRIBE'
    """
    forms = (m.group().upper() for m in _keywords(sparql))
    return next((word for word in forms if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), "SELECT")


def with_values(sparql: str, bindings: Mapping[str, Node] | None) -> str:
    """The query with a ``VALUES`` block fixing each bound variable, placed first in the WHERE group.

    There it binds the variable throughout the pattern, as the embedded store's substitution does. Where the
    group cannot take it (a sub-select as the whole group, a CONSTRUCT without WHERE) it goes at the end, after
    the solution modifiers, and then needs the variable in the SELECT projection.

    >>> with_values("SELECT ?s WHERE { ?s ?p '{' }", {"s": URIRef("http://ex/a")})
    "SELECT ?s WHERE { VALUES (?s) { (<http://ex/a>) } ?s ?p '{' }"
    """
    if not bindings:
        return sparql
    return with_rows(sparql, list(bindings), [list(bindings.values())])


def with_rows(sparql: str, names: Sequence[str], rows: Sequence[Sequence[Node]]) -> str:
    """The query with a ``VALUES`` block of several rows for ``names``, placed as :func:`with_values` places it.

    >>> with_rows("SELECT * { ?s ?p ?o }", ["o"], [[Literal("a", lang="en")], [Literal("b")]])
    'SELECT * { VALUES (?o) { ("a"@en) ("b") } ?s ?p ?o }'
    """
    for name in names:
        if not re.fullmatch(r"\w+", name):
            raise QueryError(f"cannot bind the query's values: {name!r} is not a variable name")
    if any(len(row) != len(names) for row in rows):
        raise QueryError("cannot bind the query's values: every row needs one value per variable")
    written = " ".join("(" + " ".join(sparql_term(value) for value in row) + ")" for row in rows)
    block = f"VALUES ({' '.join('?' + name for name in names)}) {{ {written} }}"
    tokens = _keywords(sparql)
    words = [m.group().upper() for m in tokens]
    start = words.index("WHERE") + 1 if "WHERE" in words else (None if query_form(sparql) == "CONSTRUCT" else words.index("{") if "{" in words else None)
    if start is not None and start < len(words) and words[start] == "{" and words[start + 1 : start + 2] != ["SELECT"]:
        at = tokens[start].end()
        return f"{sparql[:at]} {block}{sparql[at:]}"
    return f"{sparql}\n{block}"
