"""Fixtures for the W3C conformance suites: a store holding the suites' data, a real server on it (on each backend:
the embedded store, and a Virtuoso of its own loaded with the same data), and a pass report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import BACKENDS
from live_server import LiveServer, start_server, stop_server
from virtuoso import start_virtuoso, stop_virtuoso, store_settings

from kg.remote_store import RemoteStore
from kg.builds import build_into
from kg.store import EmbeddedStore

SUITE = "conformance/rdf-tests/sparql/sparql11"
PROTOCOL_GRAPHS = {f"data{n}.nt": f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3)}
OUTCOMES = pytest.StashKey[dict[str, dict[str, str]]]()


@pytest.fixture(scope="session")
def suite_dir(shared_dir: Path) -> Path:
    return shared_dir / SUITE


@pytest.fixture(scope="session")
def conformance_store(suite_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An embedded store holding the protocol suite's data1-3 as the named graphs the manifest names."""
    store_dir = tmp_path_factory.mktemp("conformance-store")

    def fill(store: EmbeddedStore) -> None:
        for name, graph in PROTOCOL_GRAPHS.items():
            store.load((suite_dir / "protocol" / name).read_bytes(), "application/n-triples", graph)
        store.merge_graphs_into_default()

    build_into(store_dir, fill)
    return store_dir


@pytest.fixture(scope="session", params=BACKENDS)
def conformance_server(request: pytest.FixtureRequest, conformance_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn over that store, or over a Virtuoso loaded from it."""
    log = tmp_path_factory.mktemp(f"conformance-server-{request.param}") / "server.log"
    if request.param == "embedded":
        process, server = start_server(conformance_store, log)
        yield server
        stop_server(process)
        return
    virtuoso = start_virtuoso(tmp_path_factory.mktemp("conformance-virtuoso"))
    try:
        remote = store_settings(virtuoso)
        RemoteStore(remote["store_url"], remote["store_user"], remote["store_password"]).replace_with(EmbeddedStore.open(conformance_store))
        releases = str(tmp_path_factory.mktemp("conformance-virtuoso-releases"))
        process, server = start_server(conformance_store, log, releases=releases, **remote)
        yield server
        stop_server(process)
    finally:
        stop_virtuoso(virtuoso)


@pytest.fixture
def record(request: pytest.FixtureRequest) -> dict[str, dict[str, str]]:
    """Where each conformance test writes its outcome, for the summary at the end of the run."""
    return request.config.stash.setdefault(OUTCOMES, {})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    outcomes = config.stash.get(OUTCOMES, {})
    for suite in sorted({o["suite"] for o in outcomes.values()}):  # one per suite and backend
        mine = [o for o in outcomes.values() if o["suite"] == suite]
        counts = {kind: sum(1 for o in mine if o["outcome"] == kind) for kind in ("passed", "refused-update", "failed")}
        terminalreporter.write_line(
            f"W3C {suite}: {counts['passed']} of {len(mine)} passed"
            + (f", {counts['refused-update']} update tests refused as a query-only service may" if counts["refused-update"] else "")
            + (f", {counts['failed']} FAILED" if counts["failed"] else "")
        )
