"""Fixtures for the W3C conformance suites: a store holding the suites' data, a real server on it, and a pass report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.store import EmbeddedStore, build_into
from live_server import LiveServer, start_server, stop_server

SUITE = "conformance/rdf-tests/sparql/sparql11"
PROTOCOL_GRAPHS = {f"data{n}.nt": f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3)}
OUTCOMES = pytest.StashKey[dict[str, dict[str, str]]]()


@pytest.fixture(scope="session")
def suite_dir(shared_dir: Path) -> Path:
    return shared_dir / SUITE


@pytest.fixture(scope="session")
def conformance_server(suite_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn over a store holding the protocol suite's data1-3 as the named graphs the manifest names."""
    store_dir = tmp_path_factory.mktemp("conformance-store")

    def fill(store: EmbeddedStore) -> None:
        for name, graph in PROTOCOL_GRAPHS.items():
            store.load((suite_dir / "protocol" / name).read_bytes(), "application/n-triples", graph)
        store.merge_graphs_into_default()

    build_into(store_dir, fill)
    process, server = start_server(store_dir, tmp_path_factory.mktemp("conformance-server") / "server.log")
    yield server
    stop_server(process)


@pytest.fixture
def record(request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Where each conformance test writes its outcome, for the summary at the end of the run."""
    return request.config.stash.setdefault(OUTCOMES, {})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    outcomes = config.stash.get(OUTCOMES, {})
    for suite in sorted({o["suite"] for o in outcomes.values()}):
        mine = [o for o in outcomes.values() if o["suite"] == suite]
        counts = {kind: sum(1 for o in mine if o["outcome"] == kind) for kind in ("passed", "refused-update", "failed")}
        terminalreporter.write_line(
            f"W3C {suite}: {counts['passed']} of {len(mine)} passed"
            + (f", {counts['refused-update']} update tests refused as a query-only service may" if counts["refused-update"] else "")
            + (f", {counts['failed']} FAILED" if counts["failed"] else "")
        )
