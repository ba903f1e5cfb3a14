"""SPARQL kept in ``.rq`` files: internal queries by name, and the example queries with their headers.

An example file starts with comment lines ``# title: …``, ``# description: …`` and optionally
``# param NAME: IRI`` (a default value, bound through substitutions and overridable by the caller), and
``# service: NAME`` for an example that calls a remote endpoint (``SERVICE ?NAME``): it needs the network and,
on a server, an allow-list naming that endpoint, so offline checks of every example leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from rdflib import URIRef

from kg.errors import NotFound

_HEADER_KEYS = ("title", "description", "service")


@dataclass(frozen=True)
class Example:
    """A shipped example query: its name, a title, a one-line description, default parameters, the text."""

    name: str
    title: str
    description: str
    text: str
    params: dict[str, URIRef] = field(default_factory=dict)
    service: str = ""


def load(name: str) -> str:
    """The text of an internal query, ``kg/queries/<name>.rq``; a line ``#include OTHER`` is replaced by the text of
    ``OTHER.rq`` (a query two others share, as a subquery: one definition of the dataset's counts)."""
    path = resources.files(__package__) / f"{name}.rq"
    if not path.is_file():
        raise NotFound(f"no query named '{name}'")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(load(line.split()[1]) + "\n" if line.startswith(INCLUDE) else line for line in lines)


INCLUDE = "#include "


def parse_example(name: str, text: str) -> Example:
    """Read an example's comment header."""
    header: dict[str, str] = {}
    params: dict[str, URIRef] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        if key in _HEADER_KEYS:
            header[key] = value.strip()
        elif key.startswith("param "):
            params[key.removeprefix("param ").strip()] = URIRef(value.strip())
    return Example(name, header.get("title", name), header.get("description", ""), text, params,
                   header.get("service", ""))


@lru_cache(maxsize=1)
def examples() -> dict[str, Example]:
    """All shipped example queries by name, sorted by name."""
    folder = resources.files(__package__) / "examples"
    found = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".rq")), key=lambda e: e.name)
    return {
        entry.name.removesuffix(".rq"): parse_example(entry.name.removesuffix(".rq"), entry.read_text("utf-8"))
        for entry in found
    }


def example(name: str) -> Example:
    """One example query by name."""
    try:
        return examples()[name]
    except KeyError:
        known = ", ".join(examples())
        raise NotFound(f"no example query named '{name}' (known: {known})") from None
