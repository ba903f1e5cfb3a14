"""Which search index the server's searches read, and, over a remote store, building it for each data version.

An embedded store's build carries its index (the worker finds it beside the store it opened): nothing to do.
A server reading a remote store builds the index of the version it serves into ``KG_SEARCH_INDEXES`` (default
``<store>/search``) in the background, when it starts and again whenever the watcher sees a new version
(kg/search/replica.py). Until the first one is written, searches answer 503 with Retry-After; while a newer one
is written, they read the previous one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI

from kg.search import ensure_replica_index
from kg.settings import Settings
from server.refusals import Busy

log = logging.getLogger(__name__)
RETRY_SECONDS = 10


def indexes_folder(settings: Settings) -> Path:
    """Where a replica writes its indexes."""
    return settings.search_indexes or settings.store / "search"


@dataclass
class ReplicaIndexes:
    """The indexes written (by data version), those being written, the newest written."""

    written: dict[str, Path] = field(default_factory=dict)
    building: dict[str, asyncio.Task[None]] = field(default_factory=dict)
    newest: Path | None = None


def _indexes(app: FastAPI) -> ReplicaIndexes:
    if not hasattr(app.state, "search_indexes"):
        app.state.search_indexes = ReplicaIndexes()
    return app.state.search_indexes


def refresh_search_index(app: FastAPI) -> None:
    """Over a remote store, start writing the index of the version served unless it is written or being written."""
    settings: Settings = app.state.settings
    if not settings.store_url:
        return
    version = app.state.executor.version
    indexes = _indexes(app)
    if version in indexes.written or version in indexes.building:
        return

    async def write() -> None:
        try:
            path = await asyncio.to_thread(ensure_replica_index, app.state.store, indexes_folder(settings), version)
            indexes.written[version] = indexes.newest = path
        except Exception as error:  # noqa: BLE001 - the next search asks again
            log.warning("the search index of data version %s could not be written: %s", version, error)
        finally:
            indexes.building.pop(version, None)

    indexes.building[version] = asyncio.get_running_loop().create_task(write())


def served_index(app: FastAPI) -> str:
    """The index file a search job names: empty for an embedded store (the worker's build has it), else the
    replica's newest index (503 Busy while the first is being written)."""
    if not app.state.settings.store_url:
        return ""
    refresh_search_index(app)
    index = _indexes(app).newest
    if index is None:
        raise Busy(f"the search index of data version {app.state.executor.version} is being built: retry shortly",
                   retry_after=RETRY_SECONDS)
    return str(index)
