"""``create_app(settings)``: the FastAPI app, whose lifespan opens the store and starts the query workers."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send

from kg.settings import Settings
from server.body_limit import BodyLimit
from server.budget import Budget
from server.cache import ResultCache
from server.errors import install_error_handlers
from server.executor import Executor
from server.follow_builds import follow, open_leased
from server.pool import QueryPool
from server.rendering import STATIC
from server.routers import (cite, complete, docs, dumps, editors, exports, feeds, health, home, pages, resources,
                            search, submissions, vocabulary, void)
from server.security_headers import SecurityHeaders
from server.sparql_endpoint import OPENAPI, SparqlEndpoint, answer_plain, front_lane
from server.submission_writes import open_write_path
from server.served_store import StoreStatus, open_release, open_served_store, warm_descriptions, watch, worker_config


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the store (the current build, leased, or the remote store), start the workers on that same data,
    follow new builds (or watch a remote store's version), and stop all of it on shutdown."""
    settings: Settings = app.state.settings
    lease = None
    if settings.store_url:
        store = open_served_store(settings)
    else:
        store, lease = open_leased(settings)
    app.state.lease = lease
    version = store.version()
    pool = QueryPool(worker_config(settings, version), settings.query_workers, settings.queue_length)
    await pool.start()
    app.state.store = store
    app.state.store_status = StoreStatus(version)
    app.state.release = open_release(store, settings, version)
    app.state.executor = Executor(
        pool,
        ResultCache(settings.cache_bytes),
        Budget(settings.client_budget, settings.client_burst),
        settings.query_timeout,
        version=version,
        concurrency=settings.client_concurrency,
    )
    open_write_path(app, settings, store)
    warm_descriptions(app)
    watcher = asyncio.get_running_loop().create_task(watch(app) if settings.store_url else follow(app))
    try:
        yield
    finally:
        app.state.rebuilder.cancel()
        if app.state.submissions is not None:
            app.state.submissions.close()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await app.state.executor.pool.close()  # the pool of the build served last
        if app.state.lease is not None:
            app.state.lease.release()


class KnowledgeGraphApp(FastAPI):
    """The FastAPI app with the plain ``/sparql`` requests answered before its middleware (server/sparql_endpoint.py)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if front_lane(scope, self.state.settings.max_body_bytes):
            scope["app"] = self
            await answer_plain(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings) -> FastAPI:
    """The HTTP app over the store named in ``settings``: SPARQL endpoint, query page, health."""
    app = KnowledgeGraphApp(
        title="AI Incidents knowledge graph",
        summary="A query-only SPARQL 1.1 endpoint over the AI incidents knowledge graph.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(SparqlEndpoint)  # innermost: /sparql is answered before routing (server/sparql_endpoint.py)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Accept", "Content-Type", "Authorization", "X-Requested-With"],
        expose_headers=["Retry-After", "X-Cache", "X-Query-Seconds"],
        max_age=86400,
    )
    app.add_middleware(SecurityHeaders)  # outermost: every response, errors and preflights included
    app.include_router(home.router)
    app.include_router(pages.router)
    app.include_router(health.router)
    app.include_router(docs.router)
    app.include_router(resources.router)
    app.include_router(vocabulary.router)
    app.include_router(dumps.router)
    app.include_router(void.router)
    app.include_router(cite.router)
    app.include_router(feeds.router)
    app.include_router(complete.router)
    app.include_router(exports.router)
    app.include_router(search.router)
    app.include_router(submissions.router)
    app.include_router(editors.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, with ``/sparql`` described by its handler (it is not a route)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
        schema["paths"] = {**OPENAPI, **schema.get("paths", {})}
        app.openapi_schema = schema
    return app.openapi_schema
