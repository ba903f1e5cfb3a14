"""Every source value stays quotable: the audit passes on the real build, fails where a cell is lost, and the cells
the issue names ("UK, China" of AIAAIC0426, "Mps" of AIAAIC0630) can be quoted with SPARQL."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from rdflib import Literal

from kg.audit import AUDITED, audit, header_and_rows
from kg.namespaces import ID, KG
from kg.store import EmbeddedStore, Solutions, TripleStore

CELL = """SELECT ?dataset ?id ?column ?record ?value WHERE {
  ?record dct:isPartOf ?dataset ; skos:notation ?id ; kg:cell ?cell .
  ?cell kg:column ?column ; rdf:value ?value }"""
LABELS = """SELECT ?id ?involvement ?agent ?name WHERE {
  ?involvement kg:source ?record ; kg:agent ?agent ; kg:sourceLabel ?name .
  ?record skos:notation ?id }"""
TRACE = "SELECT ?id ?dataset ?record ?note WHERE { ?record skos:notation ?id ; dct:isPartOf ?dataset ; skos:editorialNote ?note }"


def rows(store: TripleStore, query: str, **bindings: object) -> list[dict[str, str]]:
    terms = {k: Literal(v) if type(v) is str else v for k, v in bindings.items()}
    result = store.query(query, terms)  # type: ignore[arg-type]
    assert isinstance(result, Solutions)
    return [{k: str(v) for k, v in row.items()} for row in result.rows]


def test_audit_passes_on_every_source_file(embedded_store: EmbeddedStore, data_dir: Path) -> None:
    report = audit(embedded_store, data_dir)
    assert {f.audited.dataset for f in report.files} == {a.dataset for a in AUDITED}
    assert report.passed, report.table()
    assert all(f.cells > 0 for f in report.files), report.table()
    assert sum(f.names for f in report.files) > 15_000


def test_the_audit_finds_a_cell_the_store_does_not_have(
    embedded_store: EmbeddedStore, store_path: Path, data_dir: Path, tmp_path: Path
) -> None:
    """A changed cell in a copy of the OECD sample: the audit (library and `kg audit`) says which, and fails."""
    oecd = next(a for a in AUDITED if a.dataset == "oecd-aim-sample")
    copy = tmp_path / "sources" / oecd.path
    copy.parent.mkdir(parents=True)
    with (data_dir / "sources" / oecd.path).open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    country = table[0].index("country")
    original = table[1][country]
    table[1][country] = original + " (changed)"
    with copy.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(table)
    line = header_and_rows(copy, False)[1][0][0]
    report = audit(embedded_store, tmp_path)
    assert not report.passed and len(report.files) == 1
    assert report.files[0].cells - report.files[0].cells_found == 1
    assert report.files[0].missing == [f"line {line} [country]: {original + ' (changed)'!r}"]
    kg = Path(sys.executable).parent / "kg"
    command = [str(kg), "audit", "--data", str(tmp_path), "--store", str(store_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "(changed)" in done.stdout, done.stdout + done.stderr


def test_uk_china_is_quotable(store: TripleStore) -> None:
    """AIAAIC0426's jurisdiction cell, split into two jurisdictions, is kept as written on its record."""
    for export, column in (("aiaaic-2026-05", "Impacted area/Jurisdiction"), ("aiaaic-2025-12", "Country(ies)")):
        found = rows(store, CELL, dataset=ID[f"source/{export}"], id="AIAAIC0426", column=column)
        assert [r["value"] for r in found] == ["UK, China"], export
    jurisdictions = rows(store, "SELECT ?incident ?j WHERE { ?incident kg:jurisdiction ?j }", incident=ID["incident/AIAAIC0426"])
    # jurisdiction IRIs are minted from the slug of the ISO 3166 code (kg.ingest.concepts): lower case
    assert {r["j"] for r in jurisdictions} == {str(ID["concept/jurisdiction/gb"]), str(ID["concept/jurisdiction/cn"])}


def test_involvements_keep_the_name_as_written(store: TripleStore) -> None:
    found = {(r["agent"], r["name"]) for r in rows(store, LABELS, id="AIAAIC0630")}
    assert (str(ID["org/mps"]), "Mps") in found
    met = {(r["agent"], r["name"]) for r in rows(store, LABELS, id="AIAAIC0288")}
    assert (str(ID["org/metropolitan-police-service"]), "Metropolitan Police Service (MPS)") in met
    aiid = {r["name"] for r in rows(store, LABELS, id="AIID-1") if r["agent"] == str(ID["org/youtube"])}
    assert aiid == {"youtube"}


def test_a_rejected_row_leaves_a_trace(store: TripleStore) -> None:
    """AIAAIC0184 gives only its ID: no incident, but a record that says it was rejected and why."""
    for export in ("aiaaic-2026-05", "aiaaic-2025-12"):
        found = rows(store, TRACE, id="AIAAIC0184", dataset=ID[f"source/{export}"])
        assert len(found) == 1 and "missing headline" in found[0]["note"], export
    assert rows(store, "SELECT ?incident ?p WHERE { ?incident ?p ?o }", incident=ID["incident/AIAAIC0184"]) == []
    assert str(KG.cell).endswith("/cell")
