"""The ``kg`` command, run as a user runs it (a subprocess of the installed script) on temporary stores.

Read-only checks use the session's store, the queries on each backend (``store_option``: ``--store`` or
``--store-url``), where the store is found on the embedded one (``store_path``). Tests about building build their
own stores: the real data once (the acceptance test), else a copy of the hand-curated Turtle only,
which builds in about a second whatever the importers add to a full build.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

from kg import queries
from kg.errors import QueryError
from kg.store import EmbeddedStore

REPO = Path(__file__).resolve().parents[1]
KG_SCRIPT = Path(sys.executable).with_name("kg")
FIXTURES = REPO / "tests" / "data" / "shapes"
REQUIRED_EXAMPLES = (
    "kings-cross",
    "incidents-by-deployer",
    "incidents-by-developer",
    "issues-count",
    "incidents-per-year",
    "claims-about",
)
KINGS_CROSS_ROLES = {
    ("deployer", "Argent"),
    ("deployer", "Metropolitan Police Service"),
    ("deployer", "British Transport Police"),
    ("developer", "NEC"),
}


@pytest.fixture(scope="session")
def kg(tmp_path_factory: pytest.TempPathFactory):
    """Run ``kg ARGS`` with no KG_ settings inherited and a private per-user data folder."""
    home = tmp_path_factory.mktemp("xdg-data-home")

    def run(*args: object, env: dict[str, str] | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
        clean["XDG_DATA_HOME"] = str(home)
        clean.update(env or {})
        return subprocess.run(
            [str(KG_SCRIPT), *map(str, args)],
            check=False,
            cwd=cwd,
            env=clean,
            capture_output=True,
            text=True,
            timeout=900,
        )

    return run


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def cli_store(kg, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real data built by ``kg build`` from the repository folder (its ./data), as a user would."""
    store = tmp_path_factory.mktemp("cli-store")
    result = ok(kg("build", "--store", store))
    assert result.stdout.startswith("Built ") and str(REPO / "data") in result.stdout
    assert "…" in result.stderr, "a build shows its progress"
    return store


@pytest.fixture
def curated(tmp_path: Path) -> Path:
    """A copy of the hand-curated Turtle, as a data folder of its own."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "curated", data / "curated")
    return data


def rows_of_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def kings_cross(kg, store: Path | list[str]) -> str:
    """The kings-cross example as CSV, from the store at a path or the one the options name."""
    where = store if isinstance(store, list) else ["--store", store]
    return ok(kg("query", "--example", "kings-cross", "--format", "csv", *where)).stdout


@pytest.fixture
def store_option(backend) -> list[str]:
    """The option that points ``kg query`` at the session's store on each backend."""
    return ["--store-url", backend.remote["store_url"]] if backend.remote else ["--store", str(backend.store_path)]


# -- building ---------------------------------------------------------------------------------------


def test_build_and_validate_the_real_data(kg, cli_store):
    result = ok(kg("validate", "--store", cli_store))
    assert result.stdout.startswith("Conforms")


def test_building_twice_gives_the_same_triples(kg, cli_store, store_path, tmp_path):
    """The CLI's build and the session's build of the same data dump the same quads."""
    for name, store in (("first", store_path), ("second", cli_store)):
        ok(kg("dump", "--out", tmp_path / name, "--store", store))
    first = (tmp_path / "first" / "ai-incidents.nq").read_text(encoding="utf-8").splitlines()
    second = (tmp_path / "second" / "ai-incidents.nq").read_text(encoding="utf-8").splitlines()
    assert first and len(first) == len(second)
    assert {line for line in first if "_:" not in line} == {line for line in second if "_:" not in line}
    blank = [[line for line in lines if "_:" in line] for lines in (first, second)]
    if any(blank):  # blank-node labels differ between builds: compare those quads as graphs
        datasets = [Dataset().parse(data="\n".join(lines), format="nquads") for lines in blank]
        names = [sorted(str(g.identifier) for g in d.graphs()) for d in datasets]
        assert names[0] == names[1]
        for graph in datasets[0].graphs():
            assert isomorphic(graph, datasets[1].graph(graph.identifier))


def test_a_syntax_error_fails_the_build_with_file_and_line_and_keeps_the_old_store(kg, curated, tmp_path):
    store = tmp_path / "store"
    ok(kg("build", "--data", curated, "--store", store))
    before = kings_cross(kg, store)
    broken = curated / "curated" / "kings-cross" / "page.ttl"
    lines = broken.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith("incident:AIAAIC0288 a kg:Incident"))
    lines[line - 1] += " ; @@ not Turtle"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = kg("build", "--data", curated, "--store", store)
    assert result.returncode == 2
    assert f"{broken}:{line}:" in result.stderr
    assert kings_cross(kg, store) == before


def test_a_shape_violation_fails_the_build_with_a_report_and_keeps_the_old_store(kg, curated, tmp_path):
    store = tmp_path / "store"
    ok(kg("build", "--data", curated, "--store", store))
    before = kings_cross(kg, store)
    nameless = curated / "curated" / "nameless.ttl"
    nameless.write_text(
        "@prefix kg: <https://w3id.org/ai-incidents/def/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        '<https://w3id.org/ai-incidents/id/org/nameless> a kg:Organisation ; skos:altLabel "No name" .\n',
        encoding="utf-8",
    )

    result = kg("build", "--data", curated, "--store", store)
    assert result.returncode == 1
    report = result.stdout
    assert str(nameless) in report
    assert "focus node: https://w3id.org/ai-incidents/id/org/nameless" in report
    assert "path:       http://www.w3.org/2000/01/rdf-schema#label" in report
    assert "shape:      https://w3id.org/ai-incidents/shapes/Organisation-label" in report
    assert kings_cross(kg, store) == before


# -- validating files -------------------------------------------------------------------------------


def test_validate_a_conforming_file(kg):
    result = ok(kg("validate", FIXTURES / "valid" / "involvement.ttl"))
    assert result.stdout.startswith("Conforms")


def test_validate_the_curated_files_together(kg):
    ok(kg("validate", *sorted((REPO / "data" / "curated").rglob("*.ttl"))))


def test_validate_a_violating_file_reports_focus_path_shape_and_file(kg):
    fixture = FIXTURES / "invalid" / "involvement-two-statuses.ttl"
    result = kg("validate", fixture)
    assert result.returncode == 1
    assert str(fixture) in result.stdout
    assert "focus node: https://w3id.org/ai-incidents/id/involvement/FIXTURE-1" in result.stdout
    assert "path:       https://w3id.org/ai-incidents/def/status" in result.stdout
    assert "shape:      https://w3id.org/ai-incidents/shapes/Involvement-status" in result.stdout


def test_validate_a_file_with_a_syntax_error_names_file_and_line(kg, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix kg: <https://w3id.org/ai-incidents/def/> .\n\n<x> kg:occurred "2019 .\n', encoding="utf-8")
    result = kg("validate", bad)
    assert result.returncode == 2
    assert f"{bad}:3:" in result.stderr


# -- querying ---------------------------------------------------------------------------------------


def test_examples_lists_the_six_required_queries_with_titles(kg):
    listed = {}
    for line in ok(kg("examples")).stdout.splitlines():
        name, _, rest = line.partition(" ")
        listed[name] = rest.strip()
    for name in REQUIRED_EXAMPLES:
        header = (REPO / "kg" / "queries" / "examples" / f"{name}.rq").read_text(encoding="utf-8")
        title = next(line.split(":", 1)[1].strip() for line in header.splitlines() if line.startswith("# title:"))
        assert listed.get(name, "").startswith(f"{title}:"), f"{name}: {listed.get(name)!r}"


def test_examples_list_each_parameter_with_its_default(kg):
    out = ok(kg("examples")).stdout
    for example in queries.examples().values():
        for name, default in example.params.items():
            assert f"--param {name}=IRI  (default: {default})" in out, (example.name, name)
    assert "needs federation" in out


def test_kings_cross_names_deployers_developer_country_and_issues(kg, store_option):
    rows = rows_of_csv(kings_cross(kg, store_option))
    pairs = {(row["role"], row["organisation"]) for row in rows}
    assert KINGS_CROSS_ROLES <= pairs
    assert ("developer", "Argent") not in pairs, "Argent developed the estate, not the AI"
    assert ("deployer", "NEC") not in pairs
    for row in rows:
        assert "United Kingdom" in row["country"].split("; ")
        assert {"Privacy", "Surveillance"} <= set(row["ethical_issues"].split("; "))


def test_query_output_formats_agree(kg, store_option):
    def run(fmt: str) -> str:
        return ok(kg("query", "--example", "kings-cross", "--format", fmt, *store_option)).stdout

    csv_rows = rows_of_csv(run("csv"))
    bindings = json.loads(run("json"))["results"]["bindings"]
    tsv = list(csv.reader(io.StringIO(run("tsv")), delimiter="\t", quoting=csv.QUOTE_NONE))
    table = run("table").splitlines()

    assert csv_rows and len(bindings) == len(csv_rows) == len(tsv) - 1
    assert {(b["role"]["value"], b["organisation"]["value"]) for b in bindings} >= KINGS_CROSS_ROLES
    assert tsv[0][:3] == ["?incident", "?role", "?organisation"]
    assert '"British Transport Police"' in {row[2] for row in tsv[1:]}
    assert table[0].split()[:3] == ["incident", "role", "organisation"]
    assert table[-1] == f"({len(csv_rows)} rows)"
    assert any("British Transport Police" in line for line in table[2:-1])


def test_claims_about_shows_the_met_denial_and_the_admission_that_contradicts_it(kg, store_option):
    out = ok(kg("query", "--example", "claims-about", "--format", "json", *store_option)).stdout
    claims = [{k: v["value"] for k, v in b.items()} for b in json.loads(out)["results"]["bindings"]]
    met = [c for c in claims if c["claimant"] == "Metropolitan Police Service"]
    denials = [c["claim"] for c in met if c.get("stance") == "denial"]
    admissions = [c for c in met if c.get("stance") == "admission"]
    assert denials and len(admissions) == 1
    assert "seven images" in admissions[0]["claim"]
    contradicted = admissions[0]["contradicts"].split(" | ")
    assert set(denials) <= set(contradicted)


def test_a_malformed_query_exits_2_with_the_parser_message(kg, store_option):
    malformed = "SELECT ?s WHERE { ?s ?p }"
    with pytest.raises(QueryError) as parser:
        EmbeddedStore.in_memory().query(malformed)
    result = kg("query", malformed, *store_option)
    assert result.returncode == 2
    assert str(parser.value) in result.stderr


def test_a_query_needs_exactly_one_source(kg, store_option):
    assert kg("query", *store_option).returncode == 2
    assert kg("query", "ASK {}", "--example", "kings-cross", *store_option).returncode == 2


# -- where the store is -----------------------------------------------------------------------------


def test_the_store_comes_from_kg_store_when_no_option_is_given(kg, store_path):
    by_option = kings_cross(kg, store_path)
    by_env = ok(kg("query", "--example", "kings-cross", "--format", "csv", env={"KG_STORE": str(store_path)}))
    assert by_env.stdout == by_option


def test_the_store_option_wins_over_kg_store(kg, store_path, tmp_path):
    elsewhere = tmp_path / "no-store-here"
    result = kg(
        "query", "--example", "kings-cross", "--format", "csv", "--store", store_path, env={"KG_STORE": str(elsewhere)}
    )
    assert ok(result).stdout == kings_cross(kg, store_path)
    missing = kg("query", "--example", "kings-cross", env={"KG_STORE": str(elsewhere)})
    assert missing.returncode == 2
    assert str(elsewhere) in missing.stderr and "kg build" in missing.stderr
