"""The remote store on a real Virtuoso (started by ``.ci/start-virtuoso`` on loopback): loaded from the session's
embedded store (the session's Virtuoso, see ``conftest.virtuoso``), it answers through the same interface with the
same counts, answers, bindings, graphs, dumps and data version.

Without Virtuoso installed these tests skip, saying why; ``KG_REQUIRE_VIRTUOSO=1`` (set by ``.ci/run``) makes
a missing Virtuoso a failure instead.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD
from virtuoso import start_virtuoso, stop_virtuoso

from kg import queries
from kg.errors import QueryError, StoreError
from kg.namespaces import GRAPH, ID
from kg.remote_store import MANIFEST, MERGED, RemoteStore
from kg.store import Boolean, EmbeddedStore, Solutions, Triples, count_results

REPO = Path(__file__).resolve().parents[1]
KG_SCRIPT = Path(sys.executable).with_name("kg")
INCIDENT = ID["incident/AIAAIC0288"]
PAGE_GRAPH = str(GRAPH["curated/kings-cross/page"])
ROW_GRAPH = str(GRAPH["aiaaic/2026-05"])


@pytest.fixture(scope="module")
def remote(virtuoso: dict[str, str]) -> RemoteStore:
    """The session's Virtuoso, which holds the session's build."""
    return RemoteStore(virtuoso["KG_STORE_URL"], virtuoso["KG_STORE_USER"], virtuoso["KG_STORE_PASSWORD"])


@pytest.fixture(scope="module")
def store(embedded_store: EmbeddedStore) -> EmbeddedStore:
    """The embedded store the remote one is compared with."""
    return embedded_store


def rows(store, sparql: str, bindings=None, **graphs) -> list[dict]:
    result = store.query(sparql, bindings, **graphs)
    assert isinstance(result, Solutions)
    return result.rows


def normalised(result: Solutions) -> set[tuple]:
    """Rows as comparable values: GROUP_CONCAT lists as sets (their order is unspecified), lexical forms only
    (Virtuoso drops the language of a GROUP_CONCAT of tagged strings, where Oxigraph keeps a shared one)."""
    return {
        tuple(frozenset(str(row.get(v, "")).split("; ")) for v in result.variables) for row in result.rows
    }


# -- loading and counting ----------------------------------------------------------------------------


def test_a_load_reports_every_statement_it_wrote_and_its_version(tmp_path):
    """A second Virtuoso, loaded twice: each load reports what it wrote, and its id becomes the data version."""
    settings = start_virtuoso(tmp_path / "virtuoso")
    try:
        small = EmbeddedStore.in_memory()
        small.load(b'<http://ex/a> <http://ex/p> "1" <http://ex/g1> .\n<http://ex/a> <http://ex/p> "1" <http://ex/g2> .\n', "application/n-quads")
        small.merge_graphs_into_default()
        remote = RemoteStore(settings["KG_STORE_URL"], settings["KG_STORE_USER"], settings["KG_STORE_PASSWORD"])
        with pytest.raises(StoreError, match="no complete load"):
            remote.version()
        first = remote.replace_with(small)
        assert (first.graphs, first.statements) == (2, 3) and first.per_second > 0
        assert remote.version() == first.version
        second = remote.replace_with(small)
        assert remote.version() == second.version != first.version
        assert remote.graph_names() == ["http://ex/g1", "http://ex/g2"] and remote.triple_count() == 1
    finally:
        stop_virtuoso(settings)


def test_the_version_is_the_id_of_the_build_loaded(remote, store):
    assert remote.version() == store.version() == store.location.name


def test_counts_and_graph_names_match_the_embedded_store(remote, store):
    assert remote.graph_names() == store.graph_names()
    assert MERGED not in remote.graph_names() and MANIFEST not in remote.graph_names()
    assert remote.quad_count() == store.quad_count()
    assert remote.triple_count() == store.triple_count()


def test_named_graphs_are_ours_only_and_survive_the_round_trip(remote, store):
    """GRAPH ?g sees our graphs, not the merge, the manifest or Virtuoso's own system graphs."""
    sparql = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    sizes = lambda s: {str(r["g"]): int(r["n"]) for r in rows(s, sparql)}
    assert sizes(remote) == sizes(store)


# -- answers -----------------------------------------------------------------------------------------


def test_the_kings_cross_example_gives_the_embedded_answers(remote, store):
    example = queries.example("kings-cross")
    there, here = remote.query(example.text, example.params), store.query(example.text, example.params)
    assert isinstance(there, Solutions) and isinstance(here, Solutions)
    assert there.variables == here.variables
    assert here.rows and normalised(there) == normalised(here)


@pytest.mark.parametrize("name", ["deployers-of-facial-recognition", "incidents-per-year", "issues-count"])
def test_examples_with_bound_parameters_and_aggregates_agree(remote, store, name):
    example = queries.example(name)
    there, here = remote.query(example.text, example.params), store.query(example.text, example.params)
    assert isinstance(there, Solutions) and here.rows
    assert normalised(there) == normalised(here)


def test_a_fact_stated_by_two_sources_is_returned_once(remote):
    graphs = {str(r["g"]) for r in rows(remote, "SELECT ?incident ?g WHERE { GRAPH ?g { ?incident dct:title ?t } }", {"incident": INCIDENT})}
    assert {PAGE_GRAPH, ROW_GRAPH} <= graphs
    titles = rows(remote, "SELECT ?title ?incident WHERE { ?incident dct:title ?title }", {"incident": INCIDENT})
    assert len(titles) == 1


def test_a_bound_literal_is_matched_as_a_value_and_an_injection_is_not_parsed(remote, store):
    sparql = "SELECT ?s ?title WHERE { ?s dct:title ?title }"
    title = rows(store, "SELECT ?title ?s WHERE { ?s dct:title ?title }", {"s": INCIDENT})[0]["title"]
    found = {r["s"] for r in rows(remote, sparql, {"title": title})}
    assert INCIDENT in found and found == {r["s"] for r in rows(store, sparql, {"title": title})}
    injected = Literal('x" } UNION { ?s ?p ?title } #\n"""', lang="en")
    assert rows(remote, sparql, {"title": injected}) == []
    with pytest.raises(QueryError, match="bind"):
        remote.query(sparql, {"s": URIRef(f"{INCIDENT}> ?p ?o . <{INCIDENT}")})


def test_default_graphs_and_named_graphs_restrict_what_a_query_sees(remote):
    sparql = "SELECT ?when ?incident WHERE { ?incident kg:occurred ?when }"
    page = {r["when"] for r in rows(remote, sparql, {"incident": INCIDENT}, default_graphs=[PAGE_GRAPH])}
    row = {r["when"] for r in rows(remote, sparql, {"incident": INCIDENT}, default_graphs=[ROW_GRAPH])}
    assert page == {Literal("2019-08", datatype=XSD.gYearMonth)}
    assert row == {Literal("2019", datatype=XSD.gYear)}
    named = rows(remote, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[PAGE_GRAPH])
    assert {str(r["g"]) for r in named} == {PAGE_GRAPH}


def test_ask_construct_and_serialised_results(remote, store):
    assert remote.query("ASK { ?i dct:title ?t }", {"i": INCIDENT}) == Boolean(True)
    construct = "CONSTRUCT { ?i dct:title ?t } WHERE { ?i dct:title ?t }"
    there, here = remote.query(construct, {"i": INCIDENT}), store.query(construct, {"i": INCIDENT})
    assert isinstance(there, Triples) and set(there.triples) == set(here.triples) != set()
    sparql = "SELECT ?s ?t WHERE { ?s dct:title ?t }"
    for media_type in ("text/csv", "application/sparql-results+json", "text/tab-separated-values"):
        data = remote.query_serialized(sparql, media_type)
        assert count_results(data, media_type) == len(rows(store, sparql))
    assert count_results(remote.query_serialized(construct, "text/turtle", {"i": INCIDENT}), "text/turtle") == len(here.triples)


def test_a_malformed_query_raises_the_embedded_stores_query_error(remote, store):
    with pytest.raises(QueryError) as here:
        store.query("SELECT WHERE {")
    with pytest.raises(QueryError) as there:
        remote.query("SELECT WHERE {")
    assert str(there.value) == str(here.value) and "line 1, column 15" in str(there.value)


@pytest.mark.parametrize("query", [
    "SELECT (<bif:file_to_string>('/etc/passwd') AS ?x) {}",
    "PREFIX b: <bif:> SELECT (b:getenv('HOME') AS ?x) {}",
    "SELECT (<http://www.openlinksw.com/schemas/bif#sys_stat>('st_dbms_name') AS ?x) {}",
    "DEFINE input:grab-all 'yes' SELECT * WHERE { ?s ?p ?o } LIMIT 1",
    "SELECT * WHERE { ?s ?p ?o OPTION (TRANSITIVE) }",
    "INSERT DATA { <http://ex/a> <http://ex/p> 'x' }",
])
def test_store_extensions_and_updates_never_reach_virtuoso(remote, store, query):
    """Virtuoso's functions (bif:, sql:), pragmas and updates are refused by our parser, as by the embedded store."""
    with pytest.raises(QueryError):
        store.query(query)
    with pytest.raises(QueryError):
        remote.query(query)


def test_from_clauses_select_our_graphs_as_in_the_embedded_store(remote, store):
    system = "http://www.openlinksw.com/schemas/virtrdf#"  # Virtuoso's own graph: as empty as any unknown one
    for query in (
        f"SELECT ?when WHERE {{ <{INCIDENT}> kg:occurred ?when }}",
        f"SELECT ?when FROM <{PAGE_GRAPH}> WHERE {{ <{INCIDENT}> kg:occurred ?when }}",
        f"SELECT ?when FROM <{ROW_GRAPH}> FROM <{PAGE_GRAPH}> WHERE {{ <{INCIDENT}> kg:occurred ?when }}",
        f"SELECT ?g WHERE {{ GRAPH ?g {{ <{INCIDENT}> kg:occurred ?when }} }}",
        f"SELECT ?g FROM NAMED <{ROW_GRAPH}> WHERE {{ GRAPH ?g {{ <{INCIDENT}> kg:occurred ?when }} }}",
        f"SELECT ?g FROM <{PAGE_GRAPH}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"SELECT (COUNT(*) AS ?n) FROM <{system}> WHERE {{ ?s ?p ?o }}",
        f"SELECT (COUNT(*) AS ?n) FROM <{MERGED}> FROM NAMED <{MANIFEST}> WHERE {{ {{ ?s ?p ?o }} UNION {{ GRAPH ?g {{ ?s ?p ?o }} }} }}",
    ):
        assert normalised(remote.query(query)) == normalised(store.query(query)), query
    assert rows(remote, f"SELECT (COUNT(*) AS ?n) FROM <{system}> WHERE {{ ?s ?p ?o }}")[0]["n"].toPython() == 0


# -- dumps -------------------------------------------------------------------------------------------


def dumped(store, media_type: str) -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer, media_type)
    return buffer.getvalue()


def test_the_nquads_dump_equals_the_embedded_one(remote, store):
    assert set(dumped(remote, "application/n-quads").splitlines()) == set(dumped(store, "application/n-quads").splitlines())


def test_the_turtle_dump_is_the_merge(remote, store):
    back = EmbeddedStore.in_memory()
    back.load(dumped(remote, "text/turtle"), "text/turtle")
    lines = set(dumped(back, "application/n-triples").splitlines())
    assert lines == set(dumped(store, "application/n-triples").splitlines())


# -- failures ----------------------------------------------------------------------------------------


def test_an_unreachable_store_raises_store_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(StoreError, match="cannot reach"):
        RemoteStore(f"http://127.0.0.1:{port}/sparql", timeout=2).query("ASK {}")


def test_wrong_credentials_are_refused_before_anything_is_dropped(remote, virtuoso, store):
    intruder = RemoteStore(virtuoso["KG_STORE_URL"], "dba", "not-the-password")
    with pytest.raises(StoreError, match="credentials"):
        intruder.replace_with(EmbeddedStore.in_memory())
    assert remote.quad_count() == store.quad_count()


# -- the command line --------------------------------------------------------------------------------


def test_kg_build_and_query_with_store_url(tmp_path):
    """``kg build --store-url`` loads a (small, curated) build into its own Virtuoso; ``kg query`` reads it."""
    settings = start_virtuoso(tmp_path / "virtuoso")
    try:
        data = tmp_path / "data"
        shutil.copytree(REPO / "data" / "curated", data / "curated")
        env = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        env.update(KG_STORE_USER=settings["KG_STORE_USER"], KG_STORE_PASSWORD=settings["KG_STORE_PASSWORD"])
        env["XDG_DATA_HOME"] = str(tmp_path / "home")
        url = settings["KG_STORE_URL"]
        run = lambda *args: subprocess.run([str(KG_SCRIPT), *args], env=env, capture_output=True, text=True, timeout=300, check=False)
        built = run("build", "--data", str(data), "--store-url", url)
        assert built.returncode == 0, built.stderr
        assert "statements/s" in built.stdout and "Built " in built.stdout
        answer = run("query", "--example", "kings-cross", "--format", "csv", "--store-url", url)
        assert answer.returncode == 0, answer.stderr
        assert "Argent" in answer.stdout and "AIAAIC0288" in answer.stdout
        assert not (tmp_path / "home" / "ai-incidents-kg").exists(), "no embedded store is left behind"
    finally:
        stop_virtuoso(settings)


# -- documented differences (docs/scale-out.md) --------------------------------------------------


def test_virtuoso_answers_the_linkers_query_as_the_embedded_store(remote, store):
    """link-incidents.rq (what ``kg link`` reads) gets the same deployers, developers and places from both backends
    (an earlier version of it got wrong deployers from Virtuoso: docs/scale-out.md)."""
    sparql = queries.load("link-incidents")

    def columns(result) -> dict[str, tuple[frozenset, frozenset, frozenset]]:
        return {str(r["incident"]): tuple(frozenset(str(r.get(c, "")).split()) for c in ("deployers", "developers", "places"))
                for r in result.rows}

    there, here = columns(remote.query(sparql)), columns(store.query(sparql))
    assert there.keys() == here.keys() and here
    assert there == here
