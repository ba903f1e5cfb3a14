"""Turn the engine's SPARQL syntax errors into messages a person can act on: where, what, and how to fix it.

The engine says ``error at LINE:COLUMN: expected one of …`` followed by the character classes of its grammar.
:func:`explain` keeps the position (as ``line L, column C``, which the query page marks in its editor) and says
instead: which prefix is unknown (and the known ones, and the declaration to add), which word looks like a
misspelt keyword (``did you mean SELECT?``), that updates are refused (the endpoint is read-only), or else
what was expected, without the Unicode ranges.
"""

from __future__ import annotations

import difflib
import re

from kg.namespaces import PREFIXES

_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)
_SKIP = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                   r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*')
_WORD = re.compile(r"(?<![\w?$:.@-])([A-Za-z_][\w-]*)(?![\w:])")
_PREFIXED = re.compile(r"(?<![\w?$:<-])([A-Za-z][\w.-]*)?:(?=[\w%\\]|\s|[;,.)\]}]|$)")
_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)

UPDATES = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")
KEYWORDS = (
    "SELECT", "CONSTRUCT", "DESCRIBE", "ASK", "WHERE", "FROM", "NAMED", "PREFIX", "BASE", "DISTINCT", "REDUCED",
    "OPTIONAL", "FILTER", "UNION", "MINUS", "GRAPH", "SERVICE", "SILENT", "BIND", "VALUES", "AS", "UNDEF",
    "GROUP", "BY", "HAVING", "ORDER", "ASC", "DESC", "LIMIT", "OFFSET", "EXISTS", "NOT", "IN",
    "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "SEPARATOR",
    "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE", "RAND", "ABS", "CEIL", "FLOOR",
    "ROUND", "CONCAT", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS", "STRENDS",
    "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS", "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW",
    "UUID", "STRUUID", "MD5", "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT",
    "SAMETERM", "ISIRI", "ISURI", "ISBLANK", "ISLITERAL", "ISNUMERIC", "REGEX", "SUBSTR", "REPLACE",
    "TRUE", "FALSE", "A",
) + UPDATES


def _outside_strings(sparql: str) -> str:
    """``sparql`` with strings, IRIs and comments blanked out (same length, so positions still hold)."""
    return _SKIP.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), sparql)


def _offset(sparql: str, line: int, column: int) -> int:
    lines = sparql.split("\n")
    return sum(len(text) + 1 for text in lines[: line - 1]) + column - 1


def _where(sparql: str, offset: int) -> str:
    before = sparql[:offset]
    return f"line {before.count(chr(10)) + 1}, column {offset - (before.rfind(chr(10)) + 1) + 1}"


def _unknown_prefix(sparql: str, plain: str, offset: int) -> str | None:
    declared = {m.group(1) or "" for m in _DECLARED.finditer(plain)}
    for match in reversed([m for m in _PREFIXED.finditer(plain) if m.start() <= offset]):
        name = match.group(1) or ""
        if name not in declared and name not in PREFIXES:
            known = ", ".join(f"{p}:" for p in sorted(PREFIXES))
            close = difflib.get_close_matches(name, list(PREFIXES), n=1)
            hint = f" Did you mean {close[0]}:?" if close else ""
            return (f"{_where(sparql, match.start())}: unknown prefix '{name}:'.{hint} Declare it first, "
                    f"e.g. PREFIX {name}: <http://example.org/{name}#>, or use a known prefix: {known}")
    return None


_DECLARATION = re.compile(r"\s*(?:PREFIX\s+[\w.-]*:|BASE)\s*", re.IGNORECASE)


def _first_word(plain: str) -> tuple[str, int] | None:
    """The first word after the PREFIX/BASE declarations (whose IRIs are blanked), and where it is."""
    at = 0
    while (declaration := _DECLARATION.match(plain, at)) and declaration.end() > at and declaration.group().strip():
        at = declaration.end()
    word = _WORD.search(plain, at)
    return (word.group(1), word.start()) if word else None


def _misspelt(sparql: str, plain: str, offset: int) -> str | None:
    words = [m for m in _WORD.finditer(plain) if m.group(1).upper() not in KEYWORDS]
    near = sorted(words, key=lambda m: (m.start() > offset + 1, abs(m.start() - offset)))
    for match in near:
        close = difflib.get_close_matches(match.group(1).upper(), KEYWORDS, n=1, cutoff=0.7)
        if close:
            return f"{_where(sparql, match.start())}: '{match.group(1)}' is not a SPARQL keyword: did you mean {close[0]}?"
    return None


def _expected(rest: str) -> str:
    """The engine's list of what it expected, without its character classes."""
    rest = rest.split("\n", 1)[0] if "[" not in rest else rest
    items = re.findall(r'"[^"]*"|\[[^\]]*\]|[^,\[\]"]+', rest.removeprefix("expected one of ").removeprefix("expected "))
    words = [item.strip() for item in items if item.strip() and not item.strip().startswith("[")
             and "Prefix not found" not in item and "\n" not in item.strip() and "|" not in item]
    return ", ".join(dict.fromkeys(words))


def update_message(sparql: str) -> str | None:
    """Where ``sparql`` is an update, and that this endpoint answers queries only (None: it is not an update).

    >>> update_message("DELETE WHERE { ?s ?p ?o }")[:71]
    'line 1, column 1: this endpoint is read-only: DELETE is a SPARQL update'
    >>> update_message("SELECT * WHERE { ?s ?p ?o }") is None
    True
    """
    first = _first_word(_outside_strings(sparql))
    if first and first[0].upper() in UPDATES:
        return (f"{_where(sparql, first[1])}: this endpoint is read-only: {first[0].upper()} is a SPARQL update, "
                "and only queries (SELECT, CONSTRUCT, ASK, DESCRIBE) are answered")
    return None


def explain(message: str, sparql: str) -> str:
    """A helpful message for the engine's syntax error ``message`` about ``sparql`` (other messages unchanged).

    >>> explain("error at 1:28: expected one of Prefix not found, ['%']", "SELECT * WHERE { ?s foo:bar ?o }")[:71]
    "line 1, column 21: unknown prefix 'foo:'. Declare it first, e.g. PREFIX"
    >>> explain("error at 1:10: expected CONSTRUCT", "SELEC * WHERE { ?s ?p ?o }")
    "line 1, column 1: 'SELEC' is not a SPARQL keyword: did you mean SELECT?"
    >>> explain("error at 1:10: expected CONSTRUCT", "PREFIX x: <http://x/>\\nDELETE WHERE { ?s ?p ?o }")[:71]
    'line 2, column 1: this endpoint is read-only: DELETE is a SPARQL update'
    >>> explain('error at 1:27: expected one of ",", ".", "}", [_]', "SELECT * WHERE { ?s ?p ?o ")
    'line 1, column 27: the query is incomplete or has a syntax error here (expected one of ",", ".", "}")'
    >>> explain("The custom function <bif:x> is not supported", "SELECT *")
    'The custom function <bif:x> is not supported'
    """
    found = _POSITION.match(message)
    if not found:
        return message
    line, column, rest = int(found.group(1)), int(found.group(2)), found.group(3)
    plain = _outside_strings(sparql)
    offset = min(max(_offset(sparql, line, column), 0), len(sparql))
    refused = update_message(sparql)
    if refused:
        return refused
    if "Prefix not found" in rest:
        unknown = _unknown_prefix(sparql, plain, offset)
        if unknown:
            return unknown
    misspelt = _misspelt(sparql, plain, offset)
    if misspelt:
        return misspelt
    if "variable that is unbound" in rest:
        return f"line {line}, column {column}: the SELECT names a variable that is not grouped: add it to GROUP BY or aggregate it"
    expected = _expected(rest)
    detail = f" (expected one of {expected})" if "," in expected else f" (expected {expected})" if expected else ""
    return f"line {line}, column {column}: the query is incomplete or has a syntax error here{detail}"
