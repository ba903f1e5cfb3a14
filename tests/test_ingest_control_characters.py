"""A control character in a source cell (a NUL byte in a title) rejects the row with file, line, column and ID."""

from __future__ import annotations

from pathlib import Path

from rdflib import Literal
from rdflib.namespace import DCTERMS, SKOS

from kg.ingest import catalogue
from kg.ingest.aiaaic import import_aiaaic
from kg.ingest.aiid import import_aiid_incidents
from kg.ingest.concepts import Concepts
from kg.ingest.organisations import Agents
from kg.namespaces import ID

FIXTURES = Path(__file__).resolve().parent / "data" / "sources"


def damaged_copy(source: Path, target: Path, line: int, old: str, new: str) -> Path:
    """``source`` with ``old`` replaced by ``new`` on one line (1-based)."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    target.write_text("".join(lines), encoding="utf-8")
    return target


def test_a_nul_in_an_aiaaic_title_rejects_the_row(tmp_path: Path) -> None:
    path = damaged_copy(
        FIXTURES / "aiaaic_bad_rows.csv", tmp_path / "aiaaic.csv", 4, "Good row before", "Good row\x00 before"
    )
    result = import_aiaaic(path, catalogue.AIAAIC_2026_05.dataset, Concepts(), Agents())
    damaged = [p for p in result.report.rejected if p.row == 4]
    assert len(damaged) == 1
    problem = damaged[0]
    assert (problem.file, problem.field, problem.record) == (str(path), "Headline", "AIAAIC0901")
    assert "U+0000" in problem.reason and "position 9" in problem.reason
    assert f"{path}:4 [Headline] AIAAIC0901: control character U+0000" in str(problem)
    titles = {str(o) for s, p, o in result.graph if p == DCTERMS.title}
    assert not any("\x00" in title for title in titles)
    assert (ID["incident/AIAAIC0901"], SKOS.notation, Literal("AIAAIC0901")) not in result.graph
    trace = [s for s, p, o in result.graph if p == SKOS.editorialNote and "U+0000" in str(o)]
    assert trace == [ID["source/aiaaic-2026-05-AIAAIC0901-line-4"]], "the rejected row leaves a trace by its ID"


def test_a_form_feed_in_an_aiid_party_rejects_the_row(tmp_path: Path) -> None:
    path = damaged_copy(FIXTURES / "aiid_bad_rows.csv", tmp_path / "aiid.csv", 2, "acme-police", "acme\x0cpolice")
    result = import_aiid_incidents(path, catalogue.AIID_2026_06.dataset, Agents())
    damaged = [p for p in result.report.rejected if p.row == 2]
    assert [(p.field, p.record) for p in damaged] == [("Alleged deployer of AI system", "1")]
    assert "U+000C" in damaged[0].reason


def test_tabs_and_line_breaks_are_text(tmp_path: Path) -> None:
    path = damaged_copy(
        FIXTURES / "aiaaic_bad_rows.csv", tmp_path / "aiaaic.csv", 4, "Good row before", "Good\trow before"
    )
    result = import_aiaaic(path, catalogue.AIAAIC_2026_05.dataset, Concepts(), Agents())
    assert not [p for p in result.report.rejected if p.row == 4]
