"""Validation by SPARQL in the store gives pyshacl's report; builds with imports fail and pass as they should."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg.build import build
from kg.cli import main
from kg.errors import InvalidData
from kg.ingest.report import RowsRejected
from kg.loading import RdfFile, discover_ontology, graph_for, load_files
from kg.sparql_shapes import unsupported, validate_nquads
from kg.store import EmbeddedStore
from kg.validation import ValidationReport, load_shapes, validate_dataset

REPO = Path(__file__).resolve().parents[1]
SHAPE_FIXTURES = sorted((REPO / "tests" / "data" / "shapes").glob("*/*.ttl"))
BAD_ROWS = REPO / "tests" / "data" / "sources" / "aiaaic_bad_rows.csv"


def results(report: ValidationReport) -> Counter[tuple[str | None, ...]]:
    return Counter((v.focus, v.path, v.shape, v.value, v.message, v.severity, v.origins) for v in report.results)


def test_sparql_checks_match_pyshacl_on_every_shape_fixture() -> None:
    """All valid and invalid shape fixtures together, each in its own graph, with the ontology."""
    assert SHAPE_FIXTURES, "the shape fixtures of tests/test_shapes.py are missing"
    files = discover_ontology() + [RdfFile(f, graph_for(f, f.parent.parent)) for f in SHAPE_FIXTURES]
    dataset = load_files(files)
    expected = validate_dataset(dataset)
    found = validate_nquads(dataset.serialize(format="nquads", encoding="utf-8"))
    assert not expected.conforms and len(expected.results) >= len(SHAPE_FIXTURES) // 2
    assert results(found) == results(expected)
    assert found.conforms == expected.conforms


def test_our_shapes_are_covered_and_others_are_named() -> None:
    assert unsupported(load_shapes()) is None
    extra = Graph().parse(
        format="turtle",
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .""",
    )
    assert "equals" in (unsupported(extra) or "")
    counted = Graph().parse(
        format="turtle",
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 2 ] .""",
    )
    assert "minCount" in (unsupported(counted) or "")
    targeted = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S sh:targetNode ex:n ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .""")
    assert "targetNode" in (unsupported(targeted) or "")


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """A data folder with the curated files and tables, and the bad-rows fixture as the only source."""
    data = tmp_path / "data"
    for folder in ("curated", "concepts", "organisations"):
        shutil.copytree(REPO / "data" / folder, data / folder)
    (data / "sources" / "aiaaic").mkdir(parents=True)
    shutil.copy(BAD_ROWS, data / "sources" / "aiaaic" / "aiaaic_incidents_2026-05.csv")
    return data


def test_strict_build_fails_on_rejected_rows_and_keeps_the_store(small_data: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = build(small_data, store)
    assert [r.source for r in first.sources] == ["aiaaic-2026-05", "organisation-aliases"]
    assert (first.sources[0].imported, len(first.sources[0].rejected)) == (4, 4)
    with pytest.raises(RowsRejected) as failure:
        build(small_data, store, strict=True)
    assert [p.row for p in failure.value.rejected] == [5, 6, 7, 9]
    assert (store / "current").resolve() == first.location
    assert EmbeddedStore.open(store).triple_count() == first.triples


def test_a_shape_broken_across_a_source_and_a_curated_file_names_both(small_data: Path, tmp_path: Path) -> None:
    """A curated file gives an imported incident an end without a start: the report names both files."""
    (small_data / "curated" / "clash.ttl").write_text(
        "<https://w3id.org/ai-incidents/id/incident/AIAAIC0901> <https://w3id.org/ai-incidents/def/occurredUntil> "
        '"2020"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidData) as failure:
        build(small_data, tmp_path / "store")
    [violation] = failure.value.report.results
    assert violation.focus == "https://w3id.org/ai-incidents/id/incident/AIAAIC0901"
    assert violation.shape == "https://w3id.org/ai-incidents/shapes/Incident-interval"
    assert violation.path == "https://w3id.org/ai-incidents/def/occurredUntil"
    assert any(origin.endswith("curated/clash.ttl") for origin in violation.origins)
    assert any(origin.endswith("aiaaic_incidents_2026-05.csv") for origin in violation.origins)
    assert not (tmp_path / "store" / "current").exists()


def test_cli_build_prints_the_summary_and_exits_by_strictness(small_data: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(main, ["build", "--data", str(small_data), "--store", str(tmp_path / "s"), "--warnings"])
    assert ok.exit_code == 0, ok.output
    assert "aiaaic-2026-05" in ok.output and "graph/aiaaic/2026-05" in ok.output
    assert "aiaaic_incidents_2026-05.csv:5 [AIAAIC ID#]: missing ID" in ok.output
    assert "warning: " in ok.output and "empty row skipped" in ok.output
    strict = runner.invoke(main, ["build", "--data", str(small_data), "--store", str(tmp_path / "s"), "--strict"])
    assert strict.exit_code == 1
    assert "rejected: " in strict.output and "4 row(s) rejected" in strict.output
