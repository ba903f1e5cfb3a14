"""What a search asks and answers: typed, frozen, picklable dataclasses, and the limits that bound them."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.errors import InvalidSearch

FACETS = ("source", "year", "country", "sector", "technology", "ethical_issue", "harm", "deployer", "developer")
"""The incident facets, in display order; every one is a filter and a list of counts."""
KINDS = ("incident", "organisation", "system", "concept")
MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_FILTERS = 40
MAX_VALUE_CHARS = 500
MAX_PAGE = 100
"""The largest page a caller can ask for; ``export=True`` lifts it to :data:`MAX_EXPORT` (the whole result set)."""
MAX_EXPORT = 50_000
MAX_FACET_VALUES = 200
DEFAULT_DEADLINE = 1.0


@dataclass(frozen=True)
class SearchRequest:
    """A search: words (may be empty: every incident), facet filters, kinds, a page, a deadline in seconds.

    ``filters`` holds (facet, value) pairs: values of one facet are alternatives (OR), facets combine (AND).
    A filter keeps incidents only, since only incidents have facets.
    """

    text: str = ""
    filters: tuple[tuple[str, str], ...] = ()
    kinds: tuple[str, ...] = KINDS
    offset: int = 0
    limit: int = 20
    export: bool = False
    deadline: float = DEFAULT_DEADLINE

    def __post_init__(self) -> None:
        if len(self.text) > MAX_QUERY_CHARS:
            raise InvalidSearch("text", f"at most {MAX_QUERY_CHARS} characters, got {len(self.text)}")
        if len(self.text.split()) > MAX_TERMS:
            raise InvalidSearch("text", f"at most {MAX_TERMS} words, got {len(self.text.split())}")
        if len(self.filters) > MAX_FILTERS:
            raise InvalidSearch("filters", f"at most {MAX_FILTERS} filters, got {len(self.filters)}")
        for facet, value in self.filters:
            if len(value) > MAX_VALUE_CHARS:
                raise InvalidSearch("filters", f"a value of at most {MAX_VALUE_CHARS} characters, got {len(value)}")
            if facet not in FACETS:
                raise InvalidSearch("filters", f"unknown facet '{facet}' (known: {', '.join(FACETS)})")
        for kind in self.kinds:
            if kind not in KINDS:
                raise InvalidSearch("kinds", f"unknown kind '{kind}' (known: {', '.join(KINDS)})")
        cap = MAX_EXPORT if self.export else MAX_PAGE
        if not 0 <= self.limit <= cap:
            raise InvalidSearch("limit", f"between 0 and {cap}, got {self.limit}")
        if not 0 <= self.offset <= MAX_EXPORT:
            raise InvalidSearch("offset", f"between 0 and {MAX_EXPORT}, got {self.offset}")
        if not 0 < self.deadline <= 30:
            raise InvalidSearch("deadline", f"more than 0 and at most 30 seconds, got {self.deadline}")


@dataclass(frozen=True)
class Hit:
    """One thing found: its IRI, kind, label, rank score (higher is better), a snippet (the start of its
    description, or its other names) and, for an incident, identifier, years and source databases."""

    iri: str
    kind: str
    label: str
    score: float
    identifier: str = ""
    years: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    snippet: str = ""


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: the IRI (or year), its label, how many of the incidents found have it."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class SearchResult:
    """The page of hits asked for, the total found, counts by kind and by facet value, the index version."""

    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    kinds: dict[str, int] = field(default_factory=dict)
    facets: dict[str, tuple[FacetValue, ...]] = field(default_factory=dict)
    version: str = ""
    seconds: float = 0.0
