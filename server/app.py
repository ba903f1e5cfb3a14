"""``create_app(settings)``: the FastAPI app, whose lifespan opens the store and starts the query workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware

from kg.settings import Settings
from server.body_limit import BodyLimit
from server.budget import Budget
from server.cache import ResultCache
from server.errors import install_error_handlers
from server.executor import Executor
from server.fast_sparql import FastSparql
from server.pool import QueryPool
from server.routers import complete, dumps, health, pages, resources, sparql, vocabulary, void
from server.served_store import StoreStatus, open_served_store, watch, worker_config


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store (the current build, or the remote store), start the workers on that same data, watch a
    remote store's version, and stop all of it on shutdown."""
    settings: Settings = app.state.settings
    store = open_served_store(settings)
    version = store.version()
    pool = QueryPool(worker_config(settings, version), settings.query_workers, settings.queue_length)
    await pool.start()
    app.state.store = store
    app.state.store_status = StoreStatus(version)
    app.state.release = dumps.open_release(store, settings, version)
    app.state.executor = Executor(
        pool,
        ResultCache(settings.cache_bytes),
        Budget(settings.client_budget, settings.client_burst),
        settings.query_timeout,
        version=version,
        concurrency=settings.client_concurrency,
    )
    watcher = asyncio.get_running_loop().create_task(watch(app)) if settings.store_url else None
    try:
        yield
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await pool.close()


def create_app(settings: Settings) -> FastAPI:
    """The HTTP app over the store named in ``settings``: SPARQL endpoint, query page, health."""
    app = FastAPI(
        title="AI Incidents knowledge graph",
        summary="A query-only SPARQL 1.1 endpoint over the AI incidents knowledge graph.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(FastSparql)  # innermost: /sparql queries skip routing (see server/fast_sparql.py)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Accept", "Content-Type", "Authorization", "X-Requested-With"],
        expose_headers=["Retry-After", "X-Cache", "X-Query-Seconds"],
        max_age=86400,
    )
    app.include_router(sparql.router)
    app.include_router(pages.router)
    app.include_router(health.router)
    app.include_router(resources.router)
    app.include_router(vocabulary.router)
    app.include_router(dumps.router)
    app.include_router(void.router)
    app.include_router(complete.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC), name="static")
    return app
