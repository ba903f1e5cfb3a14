"""Shared fixtures: the repository's folders, one store built from the real data per test session, and the two
backends that serve it.

Every test that takes ``store``, ``backend`` or ``live_server`` runs twice: on the embedded store (``[embedded]``)
and on a Virtuoso loaded once per session from the same build (``[virtuoso]``). Tests about the embedded store's
own files (builds folder, ``current`` link, in-memory copy) take ``embedded_store`` / ``store_path`` instead.
Without Virtuoso installed the ``virtuoso`` runs skip with the reason (``KG_REQUIRE_VIRTUOSO=1`` makes them fail).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from backends import BACKENDS, Backend
from live_server import live_server  # noqa: F401 - a real uvicorn per session and backend, for the server tests
from virtuoso import start_virtuoso, stop_virtuoso, store_settings

from kg.build import BuildResult, build
from kg.errors import StoreError
from kg.remote_store import RemoteStore
from kg.store import EmbeddedStore, TripleStore

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SHARED = REPO.parent / "shared"


SLOW_FIXTURES = {"built", "store_path", "embedded_store", "virtuoso", "backend", "store", "live_server"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark ``slow`` every test that needs the session's build or a server, so ``pytest -m "not slow"`` is quick."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The repository's ``data/`` folder (read it; copy it before changing anything)."""
    return DATA


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository: real source data and the W3C conformance suites."""
    return SHARED


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The repository's data built once into a fresh on-disk store (read it; do not write to it)."""
    return build(DATA, tmp_path_factory.mktemp("store"))


@pytest.fixture(scope="session")
def store_path(built: BuildResult) -> Path:
    """Directory of the session's embedded store (the parent of its ``current`` link)."""
    return built.location.parent.parent


@pytest.fixture(scope="session")
def embedded_store(store_path: Path) -> EmbeddedStore:
    """The session's embedded store, opened read-only (for tests about the embedded store itself)."""
    return EmbeddedStore.open(store_path)


LOAD_SECONDS = 240.0
"""Longest a request of the session Virtuoso's load may take (the whole load takes about 30 s)."""


@pytest.fixture(scope="session")
def virtuoso(embedded_store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One Virtuoso per session, loaded once from the session's build; its KG_* settings.

    The load takes about 30 s. Once, on a machine loaded by other work, one request of it got no answer for the
    whole 600 s load timeout and every test on this backend then failed: a load that takes over LOAD_SECONDS is
    given up, and a fresh Virtuoso loaded once more (a second failure fails the tests, as it should)."""
    for attempt in (1, 2):
        settings = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
        try:
            remote = RemoteStore(settings["KG_STORE_URL"], settings["KG_STORE_USER"], settings["KG_STORE_PASSWORD"],
                                 load_timeout=LOAD_SECONDS)
            report = remote.replace_with(embedded_store)
            remote.close()
        except StoreError as error:
            stop_virtuoso(settings)
            if attempt == 2:
                raise
            print(f"\nVirtuoso did not load ({error}); starting a fresh one")
            continue
        print(f"\nVirtuoso loaded: {report.statements} statements in {report.seconds:.1f} s ({report.per_second:,.0f}/s)")
        try:
            yield settings
        finally:
            stop_virtuoso(settings)
        return


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest, store_path: Path, embedded_store: EmbeddedStore,
            tmp_path_factory: pytest.TempPathFactory) -> Backend:
    """The session's build on each backend in turn: the embedded store, then Virtuoso."""
    if request.param == "embedded":
        return Backend("embedded", embedded_store, store_path, {})
    settings: dict[str, str] = request.getfixturevalue("virtuoso")
    remote = store_settings(settings)
    store = RemoteStore(remote["store_url"], remote["store_user"], remote["store_password"])
    return Backend("virtuoso", store, store_path, remote, tmp_path_factory.mktemp("virtuoso-releases"))


@pytest.fixture(scope="session")
def store(backend: Backend) -> TripleStore:
    """The session's store on each backend (read it; do not write to it)."""
    return backend.store


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """A headless Chromium for one test module (tests/browser.py)."""
    from browser import chromium

    with chromium() as driver:
        yield driver


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where page tests keep their screenshots: $KG_TEST_ARTEFACTS, else the session's tmp folder."""
    from browser import artefacts_folder

    return artefacts_folder(tmp_path_factory)
