"""HTML pages from Jinja2 templates (autoescape on), with the links every page offers to its other formats."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from kg.licence import LICENCE, LICENCE_NAME

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
"""The query page and its scripts and styles (served at ``/static``)."""
RDF_LINKS = (("Turtle", "ttl", "text/turtle"), ("JSON-LD", "jsonld", "application/ld+json"),
             ("N-Triples", "nt", "application/n-triples"), ("RDF/XML", "rdfxml", "application/rdf+xml"))
"""The RDF formats a page links to: name, ``format=`` value, media type."""

@lru_cache(maxsize=1)
def environment() -> Environment:
    """The templates, escaping every value they print (autoescape on), failing on undefined names."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(licence=str(LICENCE), licence_name=LICENCE_NAME, rdf_links=RDF_LINKS)
    return env


def render(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """The page ``template`` filled with ``context`` (and the request's path, for links to other formats)."""
    page = environment().get_template(template).render(path=request.url.path, **context)
    return HTMLResponse(page, status, headers=headers)


def alternates(path: str) -> str:
    """A ``Link`` header naming the same document in each RDF format."""
    return ", ".join(f'<{path}?format={short}>; rel="alternate"; type="{media}"' for _, short, media in RDF_LINKS)
