"""``/health``: whether the service can answer, which build it serves, and how its workers and cache are doing."""

from __future__ import annotations

from fastapi import APIRouter

from server.deps import ExecutorDep, StoreDep

router = APIRouter()


@router.get("/health")
def health(store: StoreDep, executor: ExecutorDep) -> dict[str, object]:
    """Status, data version, graphs, workers, cache."""
    pool = executor.pool
    return {
        "status": "ok" if pool.alive() else "degraded",
        "data_version": executor.version,
        "graphs": len(store.graph_names()),
        "workers": {"configured": pool.size, "alive": pool.alive(), "network_sandbox": pool.sandboxed},
        "cache": {"bytes": executor.cache.size, "hits": executor.cache.hits, "misses": executor.cache.misses},
    }
