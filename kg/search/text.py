"""Text folding shared by indexing and searching: case, accents, apostrophes, identifiers; words to FTS5 MATCH.

>>> fold("King’s Cross — Café")
'kings cross cafe'
>>> identifiers("AIAAIC099 and AIID-95")
['aiaaic99', 'aiid95']
>>> match_expression("Kings Cross")
'"kings"* "cross"*'
>>> match_expression("AIAAIC0099")
'("aiaaic0099"* OR "aiaaic99")'
>>> match_expression("AIID-95 Tesla")
'(("aiid"* AND "95"*) OR "aiid95") "tesla"*'
>>> match_expression("  ?! ")
''
"""

from __future__ import annotations

import re
import unicodedata

from kg.search.model import MAX_TERMS

_INNER_MARKS = re.compile(r"(?<=\w)['’‘`ʼ.](?=\w)")
_WORD = re.compile(r"[^\W_]+")
_IDENTIFIER = re.compile(r"(?<![^\W\d_])([a-z]+)[-_]?0*(\d+)(?!\w)")


def fold(text: str) -> str:
    """Lower case without accents, apostrophes and dots inside words removed ("King's" -> "kings", "U.K." -> "uk")."""
    if text.isascii():
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = _INNER_MARKS.sub("", plain)
    return " ".join(_WORD.findall(plain))


def identifiers(text: str) -> list[str]:
    """Identifiers in canonical form: letters then the number without leading zeros (AIAAIC0099 -> aiaaic99)."""
    return [f"{letters}{int(number)}" for letters, number in _IDENTIFIER.findall(text.casefold())]


def index_text(text: str) -> str:
    """The folded text a document is indexed with."""
    return fold(text)


def match_expression(text: str) -> str:
    """An FTS5 query: every word must match, each as a prefix; an identifier also matches in canonical form."""
    terms = []
    for raw in text.split():
        words = fold(raw).split()
        if not words:
            continue
        prefixes = " AND ".join(f'"{word}"*' for word in words)
        canonical = identifiers(raw)
        if canonical and canonical != words:
            terms.append(f'({prefixes if len(words) == 1 else f"({prefixes})"} OR "{canonical[0]}")')
        else:
            terms.append(prefixes if len(words) == 1 else f"({prefixes})")
    return " ".join(terms[:MAX_TERMS])
