"""The embedded store through its interface: bindings, the merged default graph, graph restriction,
dumps that round-trip, and builds that are swapped in whole or not at all."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDFS, XSD

from kg.builds import LEASES, build_into, lease_current
from kg.errors import NotFound, QueryError
from kg.namespaces import GRAPH, ID
from kg.store import BUILDS, CURRENT, EmbeddedStore, Solutions

EX = "http://example.org/"
G1, G2 = f"{EX}graph/one", f"{EX}graph/two"
A, B, P, Q = (URIRef(EX + name) for name in ("a", "b", "p", "q"))
TRICKY = Literal('say "hi" > bye } UNION { ?s ?p ?o } # \\ \n', lang="en")
INCIDENT = ID["incident/AIAAIC0288"]
PAGE_GRAPH = str(GRAPH["curated/kings-cross/page"])
ROW_GRAPH = str(GRAPH["aiaaic/2026-05"])  # the AIAAIC importer states the spreadsheet row (issue 3)


def sample() -> Dataset:
    """Two graphs sharing one triple, with the kinds of terms a dump must keep."""
    dataset = Dataset()
    one, two = dataset.graph(URIRef(G1)), dataset.graph(URIRef(G2))
    one.add((A, P, B))
    two.add((A, P, B))
    one.add((A, RDFS.label, TRICKY))
    one.add((A, Q, Literal("2019-08", datatype=XSD.gYearMonth)))
    two.add((B, RDFS.label, Literal("Zürich – 東京")))
    blank = BNode()
    two.add((B, Q, blank))
    two.add((blank, RDFS.label, Literal("a blank node")))
    return dataset


def filled(dataset: Dataset) -> EmbeddedStore:
    store = EmbeddedStore.in_memory()
    store.load(dataset.serialize(format="nquads", encoding="utf-8"), "application/n-quads")
    store.merge_graphs_into_default()
    return store


def rows(store: EmbeddedStore, sparql: str, bindings=None, **graphs) -> list[dict]:
    result = store.query(sparql, bindings, **graphs)
    assert isinstance(result, Solutions)
    return result.rows


# -- bindings ----------------------------------------------------------------------------------------


def test_a_binding_restricts_the_query_to_its_value():
    store = filled(sample())
    everything = rows(store, "SELECT ?s ?o WHERE { ?s ?p ?o }")
    bound = rows(store, "SELECT ?s ?o WHERE { ?s ?p ?o }", {"s": B})
    assert {row["s"] for row in everything} > {B}
    assert bound and {row["s"] for row in bound} == {B}


def test_a_literal_with_quotes_and_brackets_is_matched_as_a_value_not_parsed_as_query():
    store = filled(sample())
    found = rows(store, "SELECT ?s ?label WHERE { ?s rdfs:label ?label }", {"label": TRICKY})
    assert found == [{"s": A, "label": TRICKY}]
    injected = Literal('x" } UNION { ?s ?p ?label } #')
    assert rows(store, "SELECT ?s ?label WHERE { ?s rdfs:label ?label }", {"label": injected}) == []


def test_an_iri_with_an_angle_bracket_is_refused_not_spliced():
    store = filled(sample())
    with pytest.raises(QueryError, match="bind"):
        store.query("SELECT ?s ?o WHERE { ?s ?p ?o }", {"s": URIRef(f"{EX}a> ?p ?o . <{EX}b")})


def test_a_malformed_query_raises_query_error():
    with pytest.raises(QueryError):
        EmbeddedStore.in_memory().query("SELECT WHERE {")


# -- the default graph and graph restriction ---------------------------------------------------------


def test_the_default_graph_is_the_set_merge_of_the_named_graphs():
    source = sample()
    store = filled(source)
    in_graphs = rows(store, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{A}> <{P}> <{B}> }} }}")
    in_default = rows(store, f"SELECT * WHERE {{ <{A}> <{P}> <{B}> }}")
    assert sorted(str(row["g"]) for row in in_graphs) == [G1, G2]
    assert len(in_default) == 1
    quads = len(list(source.quads((None, None, None, None))))
    assert store.quad_count() == quads
    assert store.triple_count() == quads - 1


def test_a_fact_stated_by_two_sources_is_returned_once(store):
    """In the real data, the page and the spreadsheet row both state the incident's title."""
    sparql = "SELECT ?incident ?g WHERE { GRAPH ?g { ?incident dct:title ?title } }"
    graphs = {str(row["g"]) for row in rows(store, sparql, {"incident": INCIDENT})}
    assert {PAGE_GRAPH, ROW_GRAPH} <= graphs
    titles = rows(store, "SELECT ?title ?incident WHERE { ?incident dct:title ?title }", {"incident": INCIDENT})
    assert len(titles) == len({row["title"] for row in titles}) == 1


def test_default_graphs_restricts_what_a_query_sees():
    store = filled(sample())
    sparql = "SELECT ?s ?o WHERE { ?s rdfs:label ?o }"
    assert {row["o"] for row in rows(store, sparql, default_graphs=[G1])} == {TRICKY}
    assert TRICKY not in {row["o"] for row in rows(store, sparql, default_graphs=[G2])}
    named = rows(store, "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", named_graphs=[G2])
    assert {str(row["g"]) for row in named} == {G2}


def test_each_source_keeps_its_own_date_of_the_incident(store):
    """The page says August 2019, the row says 2019; a query over one graph sees only that source's date."""
    sparql = "SELECT ?when ?incident WHERE { ?incident kg:occurred ?when }"
    page = {row["when"] for row in rows(store, sparql, {"incident": INCIDENT}, default_graphs=[PAGE_GRAPH])}
    row = {r["when"] for r in rows(store, sparql, {"incident": INCIDENT}, default_graphs=[ROW_GRAPH])}
    merged = {r["when"] for r in rows(store, sparql, {"incident": INCIDENT})}
    assert page == {Literal("2019-08", datatype=XSD.gYearMonth)}
    assert row == {Literal("2019", datatype=XSD.gYear)}
    assert page | row <= merged


# -- dumps -------------------------------------------------------------------------------------------


def dumped(store: EmbeddedStore, media_type: str) -> bytes:
    buffer = io.BytesIO()
    store.dump(buffer, media_type)
    return buffer.getvalue()


def test_nquads_dump_round_trips_every_named_graph():
    source = sample()
    back = Dataset()
    back.parse(data=dumped(filled(source), "application/n-quads"), format="nquads")
    for name in (G1, G2):
        assert isomorphic(back.graph(URIRef(name)), source.graph(URIRef(name))), name
    assert len(back.graph(back.default_graph.identifier)) == 0, "the merged default graph is not dumped twice"


def test_turtle_dump_round_trips_the_merged_graph():
    source = sample()
    merged = Graph()
    for s, p, o, _ in source.quads((None, None, None, None)):
        merged.add((s, p, o))
    back = Graph().parse(data=dumped(filled(source), "text/turtle"), format="turtle")
    assert isomorphic(back, merged)
    assert (A, RDFS.label, TRICKY) in back


def test_the_real_turtle_dump_is_the_merge_of_the_real_nquads_dump(store):
    """Reload both dumps of the real store; the Turtle one is exactly the merge of the N-Quads one."""
    from_turtle, from_nquads = EmbeddedStore.in_memory(), EmbeddedStore.in_memory()
    from_turtle.load(dumped(store, "text/turtle"), "text/turtle")
    from_nquads.load(dumped(store, "application/n-quads"), "application/n-quads")
    from_nquads.merge_graphs_into_default()
    assert from_nquads.quad_count() == store.quad_count()
    merged_lines = set(dumped(from_nquads, "application/n-triples").splitlines())
    turtle_lines = set(dumped(from_turtle, "application/n-triples").splitlines())
    assert len(turtle_lines) == store.triple_count()
    assert turtle_lines == merged_lines
    assert any(line.startswith(f"<{INCIDENT}> <{DCTERMS.title}>".encode()) for line in turtle_lines)


# -- building ----------------------------------------------------------------------------------------


def fill_with(triple_object: str):
    def fill(store: EmbeddedStore) -> None:
        store.load(f'<{A}> <{P}> "{triple_object}" <{G1}> .'.encode(), "application/n-quads")
        store.merge_graphs_into_default()

    return fill


def objects(path: Path) -> set[str]:
    return {str(row["o"]) for row in rows(EmbeddedStore.open(path), "SELECT ?o WHERE { ?s ?p ?o }")}


def test_a_failed_build_leaves_the_current_store_and_removes_its_partial_build(tmp_path):
    first = build_into(tmp_path, fill_with("first"))
    assert (tmp_path / CURRENT).resolve() == first.resolve()

    def failing(store: EmbeddedStore) -> None:
        fill_with("half-written")(store)
        raise RuntimeError("the fill broke half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        build_into(tmp_path, failing)
    assert (tmp_path / CURRENT).resolve() == first.resolve()
    assert [p.name for p in (tmp_path / BUILDS).iterdir()] == [first.name]
    assert objects(tmp_path) == {"first"}


def test_a_successful_build_is_swapped_in_and_old_builds_are_pruned(tmp_path):
    locations = [build_into(tmp_path, fill_with(name)) for name in ("one", "two", "three")]
    assert objects(tmp_path) == {"three"}
    assert (tmp_path / CURRENT).resolve() == locations[-1].resolve()
    kept = {p.name for p in (tmp_path / BUILDS).iterdir()}
    assert locations[-1].name in kept and locations[0].name not in kept


def test_a_build_leased_by_a_running_process_is_never_pruned(tmp_path):
    first = build_into(tmp_path, fill_with("one"))
    lease = lease_current(tmp_path)
    assert lease.build == first.resolve()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(gone.stdout)  # a process that has exited: its lease does not count
    second = build_into(tmp_path, fill_with("two"))
    (tmp_path / LEASES / f"{second.name}.{dead_pid}.0").touch()
    later = [build_into(tmp_path, fill_with(name)) for name in ("three", "four", "five")]
    kept = {p.name for p in (tmp_path / BUILDS).iterdir()}
    assert first.name in kept, "the leased build was pruned"
    assert second.name not in kept, "a dead process's lease kept its build"
    assert later[-1].name in kept and later[0].name not in kept
    assert objects(tmp_path) == {"five"}
    assert rows(EmbeddedStore.open_build(first), "SELECT ?o WHERE { ?s ?p ?o }"), "the leased build is not readable"
    lease.release()
    build_into(tmp_path, fill_with("six"))
    assert first.name not in {p.name for p in (tmp_path / BUILDS).iterdir()}, "a released lease still kept its build"


def test_opening_a_folder_without_a_build_says_to_build_first(tmp_path):
    with pytest.raises(NotFound, match="kg build"):
        EmbeddedStore.open(tmp_path)
