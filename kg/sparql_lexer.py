"""The one SPARQL lexer: strings, IRIs, comments, variables, names and words, found in one linear pass.

Code that reads or rewrites query text without parsing it (the server's SERVICE check, the VALUES writer for
stores without substitutions, the Virtuoso spellings) matches these patterns first, so nothing inside a
string, an IRI or a comment is ever taken for a keyword. ``\\u``/``\\U`` escapes are decoded first, as the
SPARQL grammar says (``\\u0053ERVICE`` is ``SERVICE``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

STRING = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""' r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"' r"|'(?:[^'\\\n]|\\.)*'"
)
"""A string literal, in any of SPARQL's four quotings."""
IRIREF = r'<[^<>"{}|^`\\\x00-\x20]*>'
"""An IRI in angle brackets (SPARQL's IRIREF)."""
COMMENT = r"#[^\n]*"
NAME = r"(?:[A-Za-z][\w.-]*)?:(?:[\w.:%-]|\\[_~.\-!$&'()*+,;=/?#@%])*|[A-Za-z_]\w*"
"""A prefixed name (``kg:Incident``, ``:x``, with escapes) or a bare word (a keyword, ``a``)."""
_TOKEN = re.compile(
    rf"(?P<string>{STRING})|(?P<comment>{COMMENT})|(?P<iri>{IRIREF})|(?P<var>[?$]\w+)|(?P<name>{NAME})|(?P<other>\S)"
)
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    """One token: its kind (string, comment, iri, var, name, other) and its text."""

    kind: str
    text: str

    def word(self) -> str:
        """The text in upper case when it is a bare word (a keyword), else ''."""
        return self.text.upper() if self.kind == "name" and ":" not in self.text else ""


def decode_codepoints(text: str) -> str:
    r"""``text`` with its ``\u``/``\U`` escapes decoded (invalid code points kept as written).

    >>> decode_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """
    if "\\u" not in text and "\\U" not in text:
        return text

    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group()

    return _CODEPOINT.sub(decode, text)


def tokens(text: str) -> Iterator[Token]:
    """The tokens of ``text`` (escapes decoded), comments included.

    >>> [t.text for t in tokens("ASK { ?s ?p 'SERVICE' } # SERVICE")]
    ['ASK', '{', '?s', '?p', "'SERVICE'", '}', '# SERVICE']
    """
    for match in _TOKEN.finditer(decode_codepoints(text)):
        kind = match.lastgroup
        assert kind is not None
        yield Token(kind, match.group())


def declared_prefixes(found: list[Token]) -> dict[str, str]:
    """The prefixes a query declares (``PREFIX p: <iri>``), from its tokens."""
    declared: dict[str, str] = {}
    for at, token in enumerate(found[:-2]):
        if token.word() == "PREFIX" and found[at + 1].kind == "name" and found[at + 2].kind == "iri":
            declared[found[at + 1].text.rstrip(":")] = found[at + 2].text[1:-1]
    return declared
