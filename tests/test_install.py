"""The built wheel ships what ``pip install .`` users need: the ontology, shapes, data and example queries."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Folder in the checkout -> where the wheel puts it (see [tool.hatch.build.targets.wheel.force-include]).
SHIPPED = {
    "ontology": "kg/_bundled/ontology",
    "shapes": "kg/_bundled/shapes",
    "data": "kg/_bundled/data",
    "kg/queries": "kg/queries",
}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--quiet", "--wheel-dir", str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("ai_incidents_kg-*.whl")
    return zipfile.ZipFile(built)


def files_below(folder: Path) -> list[Path]:
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")
    )


@pytest.mark.parametrize("folder", SHIPPED)
def test_the_wheel_ships_every_file_of(folder: str, wheel: zipfile.ZipFile):
    names = set(wheel.namelist())
    sources = files_below(REPO / folder)
    assert sources, f"nothing under {folder}"
    for source in sources:
        inside = f"{SHIPPED[folder]}/{source.relative_to(REPO / folder).as_posix()}"
        assert inside in names, f"{inside} is missing from the wheel"
        assert wheel.read(inside) == source.read_bytes(), f"{inside} differs from {source}"


def test_the_wheel_ships_the_example_queries_and_the_kg_command(wheel: zipfile.ZipFile):
    examples = {n.rsplit("/", 1)[-1] for n in wheel.namelist() if n.startswith("kg/queries/examples/")}
    assert {"kings-cross.rq", "claims-about.rq"} <= examples
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    assert "kg = server.command:main" in wheel.read(entry_points).decode()
