"""The full-text search index written by every build: the searches people type find their targets, facets
combine and count what SPARQL counts, punctuation and accents do not matter, results are bounded and picklable."""

from __future__ import annotations

import pickle
import sqlite3
import unicodedata
from pathlib import Path

import pytest
from rdflib import URIRef

from kg.build import BuildResult
from kg.errors import QueryError, SearchTimeout
from kg.namespaces import ID
from kg.search import MAX_EXPORT, SearchRequest, build_id, build_index, index_of, search
from kg.store import EmbeddedStore, TripleStore

pytestmark = pytest.mark.slow
GB = str(ID["concept/jurisdiction/gb"])
FR_TECH = str(ID["concept/technology/facial-recognition"])
KINGS_CROSS = str(ID["incident/AIAAIC0288"])


@pytest.fixture(scope="module")
def index(built: BuildResult) -> Path:
    return index_of(built.location)


@pytest.fixture(scope="module")
def graph(built: BuildResult) -> EmbeddedStore:
    return EmbeddedStore.open_build(built.location)


def everything(index: Path, text: str = "", **options: object) -> set[str]:
    result = search(index, SearchRequest(text, limit=MAX_EXPORT, export=True, **options))  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return {hit.iri for hit in result.hits}


def incidents_where(graph: EmbeddedStore, pattern: str) -> set[str]:
    rows = graph.query(f"SELECT DISTINCT ?incident WHERE {{ ?incident a kg:Incident . {pattern} }}").rows
    return {str(row["incident"]) for row in rows}


def test_the_index_is_written_into_the_build_and_carries_its_id(built: BuildResult, index: Path) -> None:
    assert index.parent == built.location
    assert search(index, SearchRequest("police", limit=1)).version == build_id(built.location) == built.location.name


def test_kings_cross_without_the_apostrophe_finds_the_kings_cross_incident(index: Path) -> None:
    top = [hit.iri for hit in search(index, SearchRequest("Kings Cross", limit=3)).hits]
    assert KINGS_CROSS in top


def test_met_police_finds_the_metropolitan_police_service_first_among_organisations(index: Path) -> None:
    met = str(ID["org/metropolitan-police-service"])
    assert search(index, SearchRequest("Met Police", kinds=("organisation",), limit=1)).hits[0].iri == met
    assert met in [hit.iri for hit in search(index, SearchRequest("Met Police", limit=3)).hits]


def test_an_identifier_with_a_digit_missing_or_added_finds_the_incident_first(graph: EmbeddedStore, index: Path) -> None:
    target = str(ID["incident/AIAAIC0099"])
    (notation,) = {str(r["n"]) for r in graph.query("SELECT ?i ?n WHERE { ?i skos:notation ?n }", {"i": URIRef(target)}).rows}
    for text in ("AIAAIC099", "AIAAIC0099", "aiaaic00099", notation):
        assert search(index, SearchRequest(text, limit=1)).hits[0].iri == target, text


@pytest.mark.parametrize("variant", ["King's Cross", "King’s Cross", "KINGS CROSS", "kings   cross!", "Kïngs Crôss"])
def test_punctuation_case_and_accents_do_not_change_the_hits(index: Path, variant: str) -> None:
    assert everything(index, variant) == everything(index, "Kings Cross")


def test_a_title_word_typed_without_its_accents_finds_the_incident(graph: EmbeddedStore, index: Path) -> None:
    rows = graph.query("SELECT ?incident ?title WHERE { ?incident a kg:Incident ; dct:title ?title . "
                       "FILTER (REGEX(?title, '[éèáóíüñç]')) } ORDER BY ?incident LIMIT 5").rows
    assert rows, "the real data has accented titles"
    for row in rows:
        word = next(w for w in str(row["title"]).split() if not w.isascii())
        plain = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
        assert str(row["incident"]) in everything(index, plain, kinds=("incident",)), (word, plain)


def test_prefixes_match_and_every_word_must_match(index: Path) -> None:
    assert everything(index, "facial recog") == everything(index, "facial recognition") | everything(index, "facial recog")
    assert everything(index, "Kings Cross") <= everything(index, "Kings")


def test_facets_combine_and_count_what_sparql_counts(graph: EmbeddedStore, index: Path) -> None:
    filters = (("country", GB), ("technology", FR_TECH))
    result = search(index, SearchRequest(filters=filters, limit=MAX_EXPORT, export=True))
    expected = incidents_where(graph, "?incident kg:jurisdiction ?gb ; kg:involvesSystem/kg:technology ?fr "
                                      f"VALUES (?gb ?fr) {{ (<{GB}> <{FR_TECH}>) }}")
    assert {hit.iri for hit in result.hits} == expected and result.total == len(expected) > 5
    years = graph.query(
        "SELECT ?year (COUNT(DISTINCT ?incident) AS ?n) WHERE { ?incident a kg:Incident ; kg:jurisdiction ?gb ; "
        "kg:involvesSystem/kg:technology ?fr ; kg:occurred ?date . BIND (SUBSTR(STR(?date), 1, 4) AS ?year) "
        f"VALUES (?gb ?fr) {{ (<{GB}> <{FR_TECH}>) }} }} GROUP BY ?year").rows
    assert {v.value: v.count for v in result.facets["year"]} == {str(r["year"]): int(r["n"]) for r in years}
    deployers = graph.query(
        "SELECT ?agent (COUNT(DISTINCT ?incident) AS ?n) WHERE { ?incident a kg:Incident ; kg:jurisdiction ?gb ; "
        "kg:involvesSystem ?system . ?system kg:technology ?fr . ?involvement kg:involvedIn ?system ; "
        "kg:role kg:deployer ; kg:agent ?agent ; kg:status ?status . FILTER (?status != kg:denied) "
        f"VALUES (?gb ?fr) {{ (<{GB}> <{FR_TECH}>) }} }} GROUP BY ?agent").rows
    assert {v.value: v.count for v in result.facets["deployer"]} == {str(r["agent"]): int(r["n"]) for r in deployers}
    assert {v.value: v.count for v in result.facets["country"]}[GB] == result.total


def test_values_of_one_facet_are_alternatives_and_text_narrows_the_filters(graph: EmbeddedStore, index: Path) -> None:
    us = str(ID["concept/jurisdiction/us"])
    both = everything(index, filters=(("country", GB), ("country", us)))
    assert both == everything(index, filters=(("country", GB),)) | everything(index, filters=(("country", us),))
    assert both == incidents_where(graph, f"VALUES ?country {{ <{GB}> <{us}> }} ?incident kg:jurisdiction ?country")
    assert everything(index, "police", filters=(("country", GB),)) == everything(index, "police") & both - (
        everything(index, filters=(("country", us),)) - everything(index, filters=(("country", GB),)))


def test_an_empty_search_lists_every_incident(graph: EmbeddedStore, index: Path) -> None:
    assert everything(index) == incidents_where(graph, "")


def test_results_are_bounded_picklable_and_stopped_at_their_deadline(index: Path) -> None:
    with pytest.raises(QueryError, match="limit"):
        SearchRequest("police", limit=101)
    with pytest.raises(QueryError, match="unknown facet"):
        SearchRequest("police", filters=(("colour", "red"),))
    result = search(index, SearchRequest("police", limit=5))
    assert len(result.hits) == 5 < result.total and pickle.loads(pickle.dumps(result)) == result
    with pytest.raises(SearchTimeout, match="deadline"):
        search(index, SearchRequest("a", deadline=1e-6))
    assert search(index, SearchRequest("Kings Cross")).hits  # the connection is usable after a timeout


def test_the_index_file_is_read_only_for_searches(index: Path) -> None:
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as connection:
        assert connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("2",)


def test_the_index_built_from_either_backend_finds_the_same(store: TripleStore, index: Path, tmp_path: Path) -> None:
    """A replica serving a remote store builds its index from that store: the same documents, facets and hits."""
    counts = build_index(store, tmp_path / "search.sqlite", "remote")
    with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as connection:
        built = dict(connection.execute("SELECT key, value FROM meta"))
    assert {k: str(v) for k, v in counts.items() if k in ("documents", "incidents", "facet_values")} == {
        k: built[k] for k in ("documents", "incidents", "facet_values")}
    for request in (SearchRequest("Kings Cross"), SearchRequest(filters=(("country", GB),), limit=100)):
        ours, theirs = search(index, request), search(tmp_path / "search.sqlite", request)
        assert ([h.iri for h in ours.hits], ours.facets) == ([h.iri for h in theirs.hits], theirs.facets)
