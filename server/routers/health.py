"""``/health``: whether the service can answer, which data it serves, and how its store, workers and cache are doing.

It asks the store (briefly) each time: 200 when the store answers and a query worker runs, 503 with the reason
when the store does not answer (a remote store stopped or unreachable) or no worker can answer (status
``no-workers``), so a load balancer can route around a replica that cannot serve; ``degraded`` (200): some
workers are being replaced. ``descriptions`` counts the server's own descriptions and home-page statistics kept
for the data served and those still being computed since start-up (until then, asking for one may wait, then 503).
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from kg.errors import StoreError
from server.deps import ExecutorDep
from server.served_store import graph_count, probe

router = APIRouter()
HEALTH_SECONDS = 3.0
"""How long /health waits for the store before it reports that the store does not answer."""


@router.api_route("/health", methods=["GET", "HEAD"])
async def health(request: Request, executor: ExecutorDep) -> JSONResponse:
    """Status, data version, store, graphs, workers, cache."""
    pool = executor.pool
    try:
        status, _ = await asyncio.wait_for(probe(request.app), HEALTH_SECONDS)
        problem = status.problem
        graphs = None if problem else await asyncio.wait_for(graph_count(request.app), HEALTH_SECONDS)
    except TimeoutError:
        problem, graphs = f"the store did not answer within {HEALTH_SECONDS:g} s", None
    except StoreError as error:
        problem, graphs = str(error), None
    alive = pool.alive()
    body = {
        "status": "store-unavailable" if problem else "no-workers" if not alive else "ok" if alive == pool.size else "degraded",
        "data_version": executor.version,
        "store": {"answers": problem is None, **({"message": problem} if problem else {})},
        "graphs": graphs,
        "workers": {"configured": pool.size, "alive": alive, "network_sandbox": pool.sandboxed},
        "descriptions": executor.descriptions,
        "cache": {"bytes": executor.cache.size, "hits": executor.cache.hits, "misses": executor.cache.misses},
    }
    return JSONResponse(body, status_code=503 if problem or not alive else 200)
