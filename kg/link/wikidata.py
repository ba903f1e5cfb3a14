"""Ask a Wikidata-compatible SPARQL endpoint for the items that could be our organisations, places and jurisdictions.

Names go to the endpoint as a VALUES block of English-tagged literals (``kg/queries/wikidata/candidates.rq``),
in batches, over HTTP with httpx; nothing is pasted into the query text but escaped terms.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import httpx
from rdflib import Literal

from kg import queries
from kg.errors import QueryError, StoreError
from kg.link.wikidata_scoring import Entity, Item, WikidataCandidate, rank
from kg.namespaces import PREFIXES
from kg.sparql_values import with_rows
from kg.store import Solutions, TripleStore

BATCH = 100
USER_AGENT = "ai-incidents-kg reconciler (https://w3id.org/ai-incidents/; kg link --wikidata-endpoint)"
_PROLOGUE = "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in ("rdfs", "skos", "wd", "wdt"))


def read_entities(store: TripleStore) -> list[Entity]:
    """Our organisations, places and jurisdictions with every name they carry and their country's code."""
    result = store.query(queries.load("wikidata/entities"))
    assert isinstance(result, Solutions)
    found: dict[str, dict[str, object]] = {}
    for row in result.rows:
        entry = found.setdefault(str(row["entity"]), {"kind": str(row["kind"]), "labels": set(), "names": set(),
                                                      "codes": set()})
        entry["names"].add(str(row["name"]))  # type: ignore[attr-defined]
        if "label" in row:
            entry["labels"].add(str(row["label"]))  # type: ignore[attr-defined]
        if "code" in row:
            entry["codes"].add(str(row["code"]).split("-")[0].upper())  # type: ignore[attr-defined]
    entities = []
    for iri, entry in sorted(found.items()):
        names: set[str] = entry["names"]  # type: ignore[assignment]
        labels: set[str] = entry["labels"] or names  # type: ignore[assignment]
        codes: set[str] = entry["codes"]  # type: ignore[assignment]
        country = next(iter(codes)) if len(codes) == 1 else None
        entities.append(Entity(iri, str(entry["kind"]), min(labels, key=lambda s: (len(s), s)), frozenset(names),
                               country))
    return entities


class WikidataEndpoint:
    """A Wikidata-compatible SPARQL endpoint (the real one, a mirror, or a local server holding a fixture)."""

    def __init__(self, url: str, timeout: float = 60.0) -> None:
        self.url = url
        self._client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0),
                                    headers={"User-Agent": USER_AGENT, "Accept": "application/sparql-results+json"})

    def close(self) -> None:
        self._client.close()

    def select(self, sparql: str) -> list[dict[str, str]]:
        """The rows of a SELECT as {variable: lexical value}; an unreachable or failing endpoint is a StoreError."""
        try:
            response = self._client.post(self.url, data={"query": sparql})
        except httpx.HTTPError as error:
            raise StoreError(f"the Wikidata endpoint {self.url} could not be reached: {error}") from error
        if response.status_code == 400:
            raise QueryError(f"the Wikidata endpoint {self.url} refused the query: {response.text[:300]}")
        if response.status_code != 200:
            raise StoreError(f"the Wikidata endpoint {self.url} answered {response.status_code}: {response.text[:300]}")
        try:
            bindings = response.json()["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as error:
            raise StoreError(f"the Wikidata endpoint {self.url} did not answer with SPARQL JSON results") from error
        return [{name: value["value"] for name, value in row.items()} for row in bindings]

    def items_named(self, names: Iterable[str]) -> dict[str, list[Item]]:
        """For each name, the items whose English label or alias it is, with their classes and countries."""
        items: dict[str, Item] = {}
        by_name: dict[str, set[str]] = defaultdict(set)
        ordered = sorted(set(names))
        template = _PROLOGUE + queries.load("wikidata/candidates")
        for start in range(0, len(ordered), BATCH):
            rows = [[Literal(name, lang="en")] for name in ordered[start:start + BATCH]]
            for row in self.select(with_rows(template, ["name"], rows)):
                item = items.setdefault(row["item"], Item(row["item"]))
                item.matches.add((row["name"], row["matched"]))
                item.label = item.label or row.get("label", "")
                item.description = item.description or row.get("description", "")
                for key, target in (("classLabel", item.classes), ("code", item.codes),
                                    ("countryCode", item.countries)):
                    if key in row:
                        target.add(row[key].upper() if key != "classLabel" else row[key])
                by_name[row["name"]].add(row["item"])
        return {name: [items[iri] for iri in sorted(iris)] for name, iris in by_name.items()}


def reconcile(entities: list[Entity], endpoint: WikidataEndpoint) -> list[WikidataCandidate]:
    """Every candidate item for every entity, scored, the clear best suggested; best first within an entity."""
    by_name = endpoint.items_named(name for e in entities for name in e.names | e.variants)
    candidates = []
    for entity in entities:
        items = {item.iri: item for name in sorted(entity.names | entity.variants) for item in by_name.get(name, [])}
        candidates.extend(rank(entity, list(items.values())))
    return candidates
