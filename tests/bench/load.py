"""Load generation: wrk with a Lua script of request paths (HTTP targets), or threads calling the engine in-process."""

from __future__ import annotations

import json
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[math.random(#paths)], {["Accept"] = "application/sparql-results+json"})
end
done = function(summary, latency, requests)
  io.write(string.format('{"requests": %%d, "seconds": %%f, "p50": %%f, "p99": %%f, "errors": %%d, "non2xx": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
"""


@dataclass(frozen=True)
class Measure:
    """Throughput and latency of one run."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def wrk(base: str, path: str, queries: list[str], seconds: int, concurrency: int = 16) -> Measure:
    """Run wrk for ``seconds`` at ``concurrency`` connections, each request a query drawn from ``queries``."""
    paths = ",".join('"%s?query=%s"' % (path, quote(q, safe="")) for q in queries)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % paths)
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(concurrency), "-d", f"{seconds}s", "--timeout", "30s", "-s", script.name, base],
        capture_output=True, text=True, check=True,
    ).stdout
    Path(script.name).unlink()
    data = json.loads(out.strip().splitlines()[-1])
    return Measure(data["requests"] / data["seconds"], data["p50"], data["p99"], data["errors"] + data["non2xx"])


def in_process(run: Callable[[str], object], queries: list[str], seconds: int, concurrency: int = 16) -> Measure:
    """Call ``run(query)`` from ``concurrency`` threads for ``seconds`` (the engine's own limit, no HTTP)."""
    deadline = time.monotonic() + seconds
    rng = random.Random(1)

    def worker() -> list[float]:
        latencies = []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            run(rng.choice(queries))
            latencies.append(time.perf_counter() - started)
        return latencies

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        latencies = sorted(x for part in pool.map(lambda _: worker(), range(concurrency)) for x in part)
    elapsed = time.monotonic() - started
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return Measure(len(latencies) / elapsed, pick(0.5), pick(0.99), 0)
