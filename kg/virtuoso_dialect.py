"""Rewrite standard SPARQL that Virtuoso reads otherwise into equivalent SPARQL it reads the standard way.

Applied by the remote store to queries our engine has already accepted (``kg.store.check_syntax``), so only
the spellings below change, never the meaning:

- ``FROM`` / ``FROM NAMED`` clauses are cut out: Virtuoso lets them override the dataset the protocol names,
  and the remote store sends them as that dataset instead (restricted to our graphs);
- prefixed names with escaped characters (``id:incident\\/AIAAIC0288``), which Virtuoso refuses, become full IRIs;
- ``GRAPH ?g {}``, which Virtuoso answers without binding ``?g``, becomes the distinct graphs that hold a triple.

Strings, IRIs and comments are matched first and kept as they are, so nothing inside them is rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.namespaces import PREFIXES
from kg.sparql_lexer import COMMENT, STRING

_ESCAPABLE = r"[_~.\-!$&'()*+,;=/?#@%]"
_TOKENS = re.compile(
    rf"(?P<string>{STRING})"
    rf"|(?P<comment>{COMMENT})"
    r'|(?P<from>(?<![?$\w:])FROM\s*(?:NAMED\s*)?(?:<[^<>"{}|^`\\\x00-\x20]*>|[\w.-]*:[\w.:%-]*))'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r"|(?P<graph>(?<![?$\w:])GRAPH\s*(?P<variable>[?$]\w+)\s*\{\s*\})"
    rf"|(?P<pname>(?<![\w?$:\\-])(?P<prefix>[A-Za-z][\w.-]*)?:(?:[\w.:%-]|\\{_ESCAPABLE})+)",
    re.IGNORECASE,
)
_PREFIX_DECLARATION = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>", re.IGNORECASE)
_ESCAPE = re.compile(rf"\\({_ESCAPABLE})")


def _declared(sparql: str) -> dict[str, str]:
    """Our prefixes, and those the query declares (which win)."""
    found = dict(PREFIXES)
    for match in _PREFIX_DECLARATION.finditer(sparql):
        found[match.group(1) or ""] = match.group(2)
    return found


def _full_iri(token: str, prefixes: Mapping[str, str]) -> str:
    """A prefixed name with escapes as ``<IRI>`` (a trailing dot is the end of a triple, not part of the name)."""
    name = token.rstrip(".")
    prefix, local = name.split(":", 1)
    if prefix not in prefixes:
        return token
    unescaped = _ESCAPE.sub(r"\1", local)
    return f"<{prefixes[prefix]}{unescaped}>" + token[len(name):]


def has_dataset_clause(sparql: str) -> bool:
    """Whether ``sparql`` has a FROM or FROM NAMED clause (outside strings, IRIs and comments).

    >>> has_dataset_clause("SELECT ?from WHERE { ?from ?p 'FROM <x>' }"), has_dataset_clause("ASK FROM<http://a> {}")
    (False, True)
    """
    return "from" in sparql.lower() and any(m.group("from") for m in _TOKENS.finditer(sparql))


def for_virtuoso(sparql: str) -> str:
    """``sparql`` with its FROM clauses cut out and the spellings Virtuoso misreads rewritten.

    >>> for_virtuoso("SELECT ?s FROM <http://a> FROM NAMED kg:b WHERE { ?s ?p 'FROM <x>' } # FROM <y>")
    "SELECT ?s     WHERE { ?s ?p 'FROM <x>' } # FROM <y>"
    >>> for_virtuoso("SELECT * WHERE { VALUES ?i { id:incident\\\\/AIAAIC0288 } ?i a kg:Incident. }")
    'SELECT * WHERE { VALUES ?i { <https://w3id.org/ai-incidents/id/incident/AIAAIC0288> } ?i a kg:Incident. }'
    >>> for_virtuoso("SELECT ?g WHERE { GRAPH ?g {} }")
    'SELECT ?g WHERE { { SELECT DISTINCT ?g WHERE { GRAPH ?g { ?kg_graph_s ?kg_graph_p ?kg_graph_o } } } }'
    """
    prefixes: dict[str, str] | None = None

    def rewrite(match: re.Match[str]) -> str:
        nonlocal prefixes
        if match.group("from"):
            return " "
        if match.group("graph"):
            variable = match.group("variable")
            return f"{{ SELECT DISTINCT {variable} WHERE {{ GRAPH {variable} {{ ?kg_graph_s ?kg_graph_p ?kg_graph_o }} }} }}"
        if match.group("pname") and "\\" in match.group("pname"):
            prefixes = prefixes if prefixes is not None else _declared(sparql)
            return _full_iri(match.group("pname"), prefixes)
        return match.group()

    return _TOKENS.sub(rewrite, sparql)
