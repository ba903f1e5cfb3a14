"""``kg build --coverage``: the build writes the frameworks' coverage figures into its own folder (a small build of
the curated data only, so that it stays fast); without the flag it writes none, as before."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from kg.build import build
from kg.cli import main
from kg.frameworks import coverage

REPO = Path(__file__).resolve().parents[1]


def test_build_writes_coverage_into_its_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "curated", data / "curated")
    plain = build(data, tmp_path / "plain")
    assert plain.coverage is None and coverage.read(plain.location) is None
    result = CliRunner().invoke(main, ["build", "--data", str(data), "--store", str(tmp_path / "store"), "--coverage"])
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "store" / "builds").iterdir()
    figures = coverage.read(folder)
    assert figures is not None and figures["all"] == 1 and figures["incidents"]["curated"] == 1
    oecd = {row["id"]: row for row in figures["frameworks"]["oecd-crf"]}
    assert oecd["1"]["counts"]["curated"] == 1 and oecd["10"]["any"] == 0 and oecd["12"]["any"] == 0
    assert "| 1 | Title | ✔ | direct |" in result.output
    assert f"coverage figures written to {folder / coverage.COVERAGE_FILE}" in result.output
