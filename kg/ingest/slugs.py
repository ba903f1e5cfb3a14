"""Slugs for minted IRIs: lower-case ASCII words joined by hyphens, stable for a given label."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc]")


def slug(text: str) -> str:
    """The slug of a label: accents and apostrophes dropped, ``&`` read as "and", other non-alphanumerics a hyphen.

    Letters with no ASCII form (``地图``) add a short hash of the label, so that labels that differ only in
    them (``Google`` and ``Google地图``) never share a slug.

    >>> slug("Govt - police")
    'govt-police'
    >>> slug("Metropolitan Police Service (MPS)")
    'metropolitan-police-service-mps'
    >>> slug("AI system safety, failures, & limitations")
    'ai-system-safety-failures-and-limitations'
    >>> slug("Jacksonville Sheriff’s Office") == slug("jacksonville-sheriff's-office")
    True
    >>> slug("Paraná")
    'parana'
    >>> slug("Google地图") == slug("Google")
    False
    """
    decomposed = unicodedata.normalize("NFKD", _APOSTROPHES.sub("", text))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    result = _NOT_SLUG.sub("-", ascii_text.lower().replace("&", " and ")).strip("-")
    lost = any(ch.isalnum() and not ch.isascii() for ch in decomposed)
    if result and not lost:
        return result
    digest = hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()[:8]
    return f"{result}-x{digest}" if result else f"x{digest}"


def label_from_slug(text: str) -> str:
    """A readable label for an entity known only by its slug (AIID): words capitalised, hyphens as spaces.

    >>> label_from_slug("keolis-north-america")
    'Keolis North America'
    """
    words = text.replace("_", " ").replace("-", " ").split()
    return " ".join(word[:1].upper() + word[1:] for word in words)
