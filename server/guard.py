"""Refuse queries that would make the server fetch a URL: SERVICE (unless allow-listed), and updates such as LOAD.

Runs in the query worker, never on the event loop, after the client's budget and concurrency were checked.
The check reads the query's tokens (kg.sparql_lexer: one linear pass, escapes decoded, strings and comments
skipped), so SERVICE is found however it is nested or spelt (``\\u0053ERVICE``); the engine then parses the
text, once. pyoxigraph treats ``FROM``/``FROM NAMED`` as names of stored graphs and fetches nothing, and its
parser rejects updates, so SERVICE is the one way left; the worker's network sandbox is the backstop.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib.term import Node, URIRef

from kg.query_errors import update_message
from kg.errors import FetchRefused, UpdateRefused
from kg.namespaces import PREFIXES
from kg.sparql_lexer import Token, declared_prefixes, tokens

UPDATES = frozenset(("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"))
"""Words that start a SPARQL update (after the prologue)."""
_TRIGGERS = ("service", "\\u", "load", "insert", "delete", "clear", "create", "drop", "copy", "move", "add", "with")


def _code(text: str) -> list[Token]:
    """The tokens of ``text`` without its comments."""
    return [t for t in tokens(text) if t.kind != "comment"]


def _first_word(found: list[Token]) -> str:
    """The first word after the prologue (BASE and PREFIX declarations)."""
    at = 0
    while at < len(found):
        word = found[at].word()
        if word == "BASE":
            at += 2
        elif word == "PREFIX":
            at += 3
        else:
            return word
    return ""


def service_targets(found: list[Token]) -> list[str | None]:
    """What each SERVICE names: an IRI, ``?variable``, or None when the lexer cannot tell (then it is refused)."""
    prefixes: dict[str, str] | None = None
    targets: list[str | None] = []
    for at, token in enumerate(found):
        if token.word() != "SERVICE":
            continue
        following = found[at + 1 : at + 3]
        if following and following[0].word() == "SILENT":
            following = following[1:]
        target = following[0] if following else None
        if target is None:
            targets.append(None)
        elif target.kind == "iri":
            targets.append(target.text[1:-1])
        elif target.kind == "var":
            targets.append("?" + target.text[1:])
        elif target.kind == "name" and ":" in target.text:
            prefixes = prefixes if prefixes is not None else {**PREFIXES, **declared_prefixes(found)}
            prefix, local = target.text.split(":", 1)
            targets.append(prefixes[prefix] + local.replace("\\", "") if prefix in prefixes else None)
        else:
            targets.append(None)
    return targets


def service_bindings(query: str, endpoints: Mapping[str, str]) -> dict[str, Node]:
    """The named endpoints (``{"wikidata": IRI}``) that ``query`` calls as ``SERVICE ?name``, to bind by substitution."""
    if "service" not in query.lower() and "\\u" not in query.lower():
        return {}
    names = {t[1:] for t in service_targets(_code(query)) if t and t.startswith("?")}
    return {name: URIRef(endpoints[name]) for name in names if name in endpoints}


def check_query(query: str, allowed: frozenset[str], bound: Mapping[str, Node] | None = None) -> None:
    """Raise FetchRefused if ``query`` calls a SERVICE not in ``allowed``, UpdateRefused if it is an update.

    ``SERVICE ?name`` is checked as the endpoint the server binds ``?name`` to (``bound``), never a query's own value.
    """
    lowered = query.lower()
    if not any(word in lowered for word in _TRIGGERS):
        return
    found = _code(query)
    if _first_word(found) in UPDATES:
        raise UpdateRefused(update_message(query) or "this endpoint is read-only: updates (LOAD, INSERT, DROP, ...) are refused")
    for target in service_targets(found):
        if target is not None and target.startswith("?") and target[1:] in (bound or {}):
            target = str((bound or {})[target[1:]])
        if target is None:
            raise FetchRefused("the query's SERVICE clause names no endpoint IRI that could be checked: name an "
                               "allowed endpoint as <IRI>, or remove SERVICE")
        if target.startswith("?"):
            raise FetchRefused("SERVICE with a variable endpoint is refused: name an allowed endpoint IRI")
        if target not in allowed:
            names = ", ".join(sorted(allowed)) or "none"
            raise FetchRefused(
                f"SERVICE <{target}> is refused: this endpoint does not fetch from other servers (allowed: {names})"
            )
