"""The store the server serves: opened from the settings (embedded build or remote store), its version watched.

An embedded store is the build ``current`` names when the app starts; its version is the build's id and never
changes while the app runs. A remote store (``KG_STORE_URL``) is read over HTTP by the app and by each query
worker; its version is the id its last load wrote into the manifest graph. The watcher re-reads that id every
few seconds: a new load changes the cache key, the VoID description and the release served; a store that does
not answer is reported by ``/health`` (queries meanwhile get 503), and serving resumes when it answers again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from fastapi import FastAPI

from pathlib import Path

from kg.errors import KgError, StoreError
from kg.publication import ensure_release, releases_dir
from kg.release import Release
from kg.remote_store import remote_from_settings
from kg.settings import Settings
from kg.store import BUILDS, EmbeddedStore, TripleStore
from server.description import description_job, void_job
from server.home_jobs import home_jobs
from server.search_index import refresh_search_index
from server.worker import WorkerConfig

log = logging.getLogger(__name__)
WATCH_SECONDS = 5.0
"""How often the remote store's data version (and whether it answers) is checked."""
STORE_GRACE = 1.0
"""Seconds a remote store is given beyond our query timeout: our worker is killed first, the store stops soon after."""


@dataclass
class StoreStatus:
    """What the watcher last saw: the data version served and, when the store did not answer, why."""

    version: str
    problem: str | None = None


def open_served_store(settings: Settings) -> TripleStore:
    """The remote store at ``KG_STORE_URL`` if set, else the embedded store's current build."""
    if settings.store_url:
        return remote_from_settings(settings=settings, timeout=settings.query_timeout + STORE_GRACE)
    return EmbeddedStore.open(settings.store)


def open_release(store: TripleStore, settings: Settings, version: str) -> Release | None:
    """The release of data ``version`` the app serves, written now if missing; None (and a warning) when it cannot be."""
    build: Path | str = version if settings.store_url else settings.store / BUILDS / version
    try:
        return ensure_release(store, build, releases_dir(settings.store, settings.releases))
    except KgError as error:
        log.warning("no release to serve: %s", error)
        return None


def warm_descriptions(app: FastAPI) -> None:
    """Compute the home page's statistics (server.home_jobs), the service description and VoID of the data served,
    once, in the background (server.description), and, over a remote store, its search index (server.search_index)."""
    settings: Settings = app.state.settings
    limit = max(settings.query_timeout, app.state.executor.pool.start_timeout)
    for job in home_jobs():  # first: cheap, and the page people see first
        app.state.executor.warm(job, limit)
    app.state.executor.warm(description_job(settings), limit)
    app.state.executor.warm(void_job(settings, app.state.release), limit)
    refresh_search_index(app)


async def graph_count(app: FastAPI) -> int:
    """How many named graphs the store holds (asked off the event loop)."""
    store: TripleStore = app.state.store
    return len(await asyncio.to_thread(store.graph_names))


def worker_config(settings: Settings, version: str) -> WorkerConfig:
    """How the query workers open the same store: the same build (embedded), or the same URL (remote)."""
    password = settings.store_password.get_secret_value() if settings.store_password else None
    return WorkerConfig(
        build=None if settings.store_url else settings.store / BUILDS / version,
        in_memory=settings.store_in_memory,
        max_rows=settings.max_rows,
        max_result_bytes=settings.max_result_bytes,
        memory_bytes=settings.worker_memory_mb * 1024 * 1024,
        service_allow=frozenset(settings.service_allow),
        store_url=settings.store_url,
        store_user=settings.store_user,
        store_password=password,
        store_timeout=settings.query_timeout + STORE_GRACE,
    )


async def probe(app: FastAPI) -> tuple[StoreStatus, str | None]:
    """Ask the store for its version now: the status (its ``problem`` updated) and the version it answered."""
    store: TripleStore = app.state.store
    status: StoreStatus = app.state.store_status
    try:
        version = await asyncio.to_thread(store.version)
    except StoreError as error:
        if status.problem is None:
            log.warning("the store does not answer: %s", error)
        status.problem = str(error)
        return status, None
    if status.problem is not None:
        log.warning("the store answers again (data version %s)", version)
    status.problem = None
    return status, version


async def check(app: FastAPI) -> StoreStatus:
    """Probe the store; on a new version, refresh what depends on it (cache key, VoID, release served)."""
    status, version = await probe(app)
    if version is not None and version != status.version:
        log.warning("the store now holds data version %s (was %s)", version, status.version)
        release = await asyncio.to_thread(open_release, app.state.store, app.state.settings, version)
        status.version = version
        app.state.executor.version = version
        app.state.release = release
        warm_descriptions(app)
    return status


async def watch(app: FastAPI) -> None:
    """Check the remote store every few seconds until cancelled."""
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        try:
            await check(app)
        except Exception:  # the watcher must outlive any one failed check
            log.exception("checking the store failed")
