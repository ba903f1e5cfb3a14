"""``kg serve``: builds the store when there is none, then answers the example queries over HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
from live_server import free_port, stop_server

from kg import queries
from kg.store import EmbeddedStore, Solutions


def test_kg_serve_builds_then_serves(tmp_path: Path, data_dir: Path, embedded_store: EmbeddedStore) -> None:
    kg = shutil.which("kg") or str(Path(sys.executable).with_name("kg"))
    assert Path(kg).exists(), "the kg command is installed with the package"
    store_dir, port = tmp_path / "store", free_port()
    env = {**os.environ, "KG_DATA": str(data_dir)}
    env.pop("KG_PUBLIC_URL", None)
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen([kg, "serve", "--store", str(store_dir), "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "kg serve did not answer within 300 s"
                time.sleep(0.2)
        assert (store_dir / "current").is_dir()
        for name, example in ((n, e) for n, e in queries.examples().items() if not e.service):  # SERVICE: refused here
            response = httpx.post(url + "/sparql", data={"query": example.text}, headers={"Accept": "text/csv"}, timeout=30)
            assert response.status_code == 200, (name, response.text)
            expected = embedded_store.query(example.text, example.params)
            assert isinstance(expected, Solutions)
            assert response.text.splitlines()[0].split(",") == expected.variables
        description = httpx.get(url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30).text
        assert f"<{url}/sparql>" in description
    finally:
        stop_server(process)
        log.close()
    assert "building it" in (tmp_path / "serve.log").read_text()
