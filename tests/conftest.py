"""Shared fixtures: the repository's folders, and one store built from the real data per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.build import BuildResult, build
from kg.store import EmbeddedStore
from live_server import live_server  # noqa: F401 - a real uvicorn per session, for the server tests

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SHARED = REPO.parent / "shared"


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
    """Directory of the session's store (the parent of its ``current`` link)."""
    return built.location.parent.parent


@pytest.fixture(scope="session")
def store(store_path: Path) -> EmbeddedStore:
    """The session's store, opened read-only."""
    return EmbeddedStore.open(store_path)
