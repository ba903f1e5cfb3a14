"""Serve the newest embedded build: lease the build served, and switch to the next one when ``current`` changes.

The build a server reads is leased (:func:`kg.builds.lease_current`), so ``kg build`` never prunes it under the
server, however many builds follow. Every ``FOLLOW_SECONDS`` the server looks where ``current`` points; on a new
build it leases it, starts a new worker pool on it and writes (or finds) its release, and only then switches:
the executor (its version is the cache key), the store the pages read, VoID and the release served. Queries
already running finish on the old pool, which is stopped (and its build's lease released) one query time limit
later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI

from kg.builds import Lease, lease_current
from kg.settings import Settings
from kg.store import CURRENT, EmbeddedStore
from server.pool import QueryPool
from server.served_store import open_release, warm_descriptions, worker_config

log = logging.getLogger(__name__)
FOLLOW_SECONDS = 1.0
"""How often the server looks where ``current`` points (a readlink)."""
RETIRE_GRACE = 1.0
"""Seconds beyond the query time limit an old pool is kept for the queries it is still running."""


def open_leased(settings: Settings) -> tuple[EmbeddedStore, Lease]:
    """The current build, leased, and opened read-only."""
    lease = lease_current(settings.store)
    try:
        return EmbeddedStore.open_build(lease.build), lease
    except BaseException:
        lease.release()
        raise


async def follow(app: FastAPI) -> None:
    """Switch to each new build until cancelled; then stop the pools being retired."""
    retiring: set[asyncio.Task[None]] = set()
    try:
        while True:
            await asyncio.sleep(FOLLOW_SECONDS)
            try:
                task = await switch_if_rebuilt(app)
            except Exception:  # the follower must outlive one failed switch (it retries at the next look)
                log.exception("switching to the new build failed; still serving the previous one")
                await asyncio.sleep(5 * FOLLOW_SECONDS)
                continue
            if task is not None:
                retiring.add(task)
                task.add_done_callback(retiring.discard)
    finally:
        for task in list(retiring):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def switch_if_rebuilt(app: FastAPI) -> asyncio.Task[None] | None:
    """If ``current`` names another build than the one served, switch to it; the task retiring the old pool."""
    settings: Settings = app.state.settings
    served: Lease = app.state.lease
    if (settings.store / CURRENT).resolve() == served.build:
        return None
    store, lease = await asyncio.to_thread(open_leased, settings)
    version = store.version()
    pool = QueryPool(worker_config(settings, version), settings.query_workers, settings.queue_length)
    try:
        await pool.start()
        release = await asyncio.to_thread(open_release, store, settings, version)
    except BaseException:
        await pool.close()
        lease.release()
        raise
    executor = app.state.executor
    old_pool = executor.pool
    executor.pool, executor.version = pool, version
    app.state.store, app.state.lease, app.state.release = store, lease, release
    app.state.store_status.version = version
    warm_descriptions(app)
    log.warning("now serving build %s (was %s)", version, served.build.name)
    return asyncio.get_running_loop().create_task(_retire(old_pool, served, settings.query_timeout + RETIRE_GRACE))


async def _retire(pool: QueryPool, lease: Lease, after: float) -> None:
    """Stop ``pool`` once the queries it runs are over, then release its build."""
    try:
        await asyncio.sleep(after)
    finally:
        await pool.close()
        lease.release()
