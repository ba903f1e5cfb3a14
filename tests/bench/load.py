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
accept = "%s"
threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function(args) client_errors = 0; server_errors = 0 end
request = function()
  return wrk.format("GET", paths[math.random(#paths)], {["Accept"] = accept})
end
response = function(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 elseif status >= 400 then client_errors = client_errors + 1 end
end
done = function(summary, latency, requests)
  local c4, c5 = 0, 0
  for _, thread in ipairs(threads) do c4 = c4 + thread:get("client_errors"); c5 = c5 + thread:get("server_errors") end
  io.write(string.format('{"requests": %%d, "seconds": %%f, "p50": %%f, "p99": %%f, "errors": %%d, "4xx": %%d, "5xx": %%d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, c4, c5))
end
"""
JSON_RESULTS = "application/sparql-results+json"


@dataclass(frozen=True)
class Measure:
    """Throughput and latency of one run; errors: failed connections and 4xx/5xx answers (split below)."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    client_errors: int = 0
    server_errors: int = 0


def wrk(base: str, path: str, queries: list[str], seconds: int, concurrency: int = 16, accept: str = JSON_RESULTS) -> Measure:
    """Run wrk for ``seconds`` at ``concurrency`` connections, each request a query drawn from ``queries``."""
    paths = ",".join(f'"{path}?query={quote(q, safe="")}"' for q in queries)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (paths, accept))
    out = subprocess.run(
        ["wrk", "-t", "1", "-c", str(concurrency), "-d", f"{seconds}s", "--timeout", "30s", "-s", script.name, base],
        capture_output=True, text=True, check=True,
    ).stdout
    Path(script.name).unlink()
    data = json.loads(out.strip().splitlines()[-1])
    failed = data["errors"] + data["4xx"] + data["5xx"]
    return Measure(data["requests"] / data["seconds"], data["p50"], data["p99"], failed, data["4xx"], data["5xx"])


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
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return Measure(len(latencies) / elapsed, pick(0.5), pick(0.99), 0)
