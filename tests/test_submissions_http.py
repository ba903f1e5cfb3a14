"""The write path through a real server: the JSON API and the form, tracking, editors signing in, the review queue,
acceptance into the graph (a real background rebuild), CSRF, rate limits, escaping in a real browser, SIGKILL of the
server during submissions, and many clients at once. Each test server serves its own copy of the session's build."""

from __future__ import annotations

import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, start_server, stop_server

from kg.store import EmbeddedStore
from kg.submissions.database import SubmissionDatabase

KG = Path(sys.executable).with_name("kg")
PASSWORD = "a long enough passphrase"
SOURCE = {"url": "https://example.org/news/1", "publisher": "Example News", "date": "2024-03-05"}
XSS = "<script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">"
NEW_INCIDENT = {
    "kind": "incident", "title": "Station trial of live face recognition " + XSS, "when": "2024-03",
    "description": "Reported by a local paper. " + XSS, "deployers": ["British Transport Police"],
    "countries": ["GB"], "technologies": ["https://w3id.org/ai-incidents/id/concept/technology/facial-recognition"],
    "sources": [SOURCE],
}


@dataclass
class WriteServer:
    process: subprocess.Popen[bytes]
    server: LiveServer
    store: Path
    database: Path
    log: Path


def copy_build(embedded_store: EmbeddedStore, into: Path) -> Path:
    assert embedded_store.location is not None
    (into / "builds").mkdir(parents=True)
    shutil.copytree(embedded_store.location, into / "builds" / embedded_store.location.name)
    (into / "current").symlink_to(Path("builds") / embedded_store.location.name)
    return into


def start(store: Path, database: Path, log: Path, **settings: str) -> tuple[subprocess.Popen[bytes], LiveServer]:
    return start_server(store, log, submissions_db=str(database), releases=str(store.parent / "releases"), **settings)


@pytest.fixture(scope="module")
def write_server(embedded_store, tmp_path_factory) -> Iterator[WriteServer]:
    root = tmp_path_factory.mktemp("write-path")
    store, database = copy_build(embedded_store, root / "store"), root / "submissions.sqlite"
    done = subprocess.run([str(KG), "editors", "add", "ada", "--password-stdin"], input=PASSWORD + "\n", text=True,
                          capture_output=True, env={**os.environ, "KG_SUBMISSIONS_DB": str(database)}, timeout=60)
    assert done.returncode == 0, done.stderr
    process, server = start(store, database, root / "server.log", submission_burst="40", submission_rate="60")
    yield WriteServer(process, server, store, database, root / "server.log")
    stop_server(process)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found, page[:2000]
    return found.group(1)


def cookies_of(response: httpx.Response) -> dict[str, str]:
    """The cookies a response sets, Secure ones included (httpx would not send those back over http)."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


def cookie_header(cookies: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def sign_in(client: httpx.Client, base: str, password: str = PASSWORD) -> tuple[httpx.Response, dict[str, str]]:
    form = client.get(f"{base}/editor/login")
    cookies = cookies_of(form)
    response = client.post(f"{base}/editor/login", data={"name": "ada", "password": password,
                                                         "csrf": csrf_of(form.text)}, headers=cookie_header(cookies))
    return response, {**cookies, **cookies_of(response)}


# -- the API and tracking ---------------------------------------------------------------------------------------

def test_a_submission_gets_a_receipt_and_a_tracking_page(write_server):
    base = write_server.server.url
    answer = httpx.post(f"{base}/api/submissions", json=NEW_INCIDENT, timeout=60)
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    assert receipt["state"] == "received" and receipt["tracking_url"].endswith(receipt["token"])
    tracked = httpx.get(f"{base}/submissions/{receipt['token']}", headers={"Accept": "application/json"}, timeout=30)
    assert tracked.json()["state"] == "received"
    page = httpx.get(f"{base}/submissions/{receipt['token']}", timeout=30).text
    assert "&lt;script&gt;" in page and "<script>document" not in page


def test_problems_come_back_at_their_fields(write_server):
    bad = {**NEW_INCIDENT, "when": "spring", "sources": [{"url": "ftp://x"}],
           "technologies": ["https://w3id.org/ai-incidents/id/concept/technology/no-such-technology"]}
    answer = httpx.post(f"{write_server.server.url}/api/submissions", json=bad, timeout=60)
    assert answer.status_code == 422
    fields = {p["field"] for p in answer.json()["problems"]}
    assert {"when", "sources[0].url"} <= fields
    unknown = httpx.post(f"{write_server.server.url}/api/submissions", timeout=60, json={
        **NEW_INCIDENT, "technologies": ["https://w3id.org/ai-incidents/id/concept/technology/no-such-technology"]})
    assert unknown.status_code == 422 and "technologies" in {p["field"] for p in unknown.json()["problems"]}


@pytest.mark.parametrize("body", [
    "{" + '"a":' * 0 + '"kind": "incident", "x": ' + "[" * 20_000 + "]" * 20_000 + "}",
    json.dumps({**NEW_INCIDENT, "description": "x" * 200_000}),
    json.dumps({**NEW_INCIDENT, "sources": [SOURCE] * 5_000}),
])
def test_a_submission_bomb_is_refused_within_its_bound(write_server, body):
    started = time.perf_counter()
    answer = httpx.post(f"{write_server.server.url}/api/submissions", content=body,
                        headers={"Content-Type": "application/json"}, timeout=30)
    assert answer.status_code in (413, 422), answer.text[:500]
    assert time.perf_counter() - started < 5


# -- editors, CSRF --------------------------------------------------------------------------------------------

def test_anonymous_clients_cannot_reach_the_queue_or_decide(write_server):
    base = write_server.server.url
    assert httpx.get(f"{base}/editor/queue", timeout=30).status_code == 401
    assert httpx.post(f"{base}/editor/submissions/1", data={"decision": "accept"}, timeout=30).status_code == 401


def test_a_missing_or_forged_csrf_token_fails(write_server):
    base = write_server.server.url
    with httpx.Client(timeout=30) as client:
        form = client.get(f"{base}/editor/login")
        cookies = cookies_of(form)
        for token in ("", "0" * 64, csrf_of(form.text)[:-1] + "0"):
            answer = client.post(f"{base}/editor/login", data={"name": "ada", "password": PASSWORD, "csrf": token},
                                 headers=cookie_header(cookies))
            assert answer.status_code == 403, token
        _, session = sign_in(client, base)
        queue = client.get(f"{base}/editor/queue", headers=cookie_header(session))
        assert queue.status_code == 200
        forged = client.post(f"{base}/editor/submissions/1", headers=cookie_header(session),
                             data={"decision": "reject", "csrf": "f" * 64})
        assert forged.status_code == 403


def test_session_cookies_are_httponly_secure_and_strict(write_server):
    with httpx.Client(timeout=30) as client:
        response, _ = sign_in(client, write_server.server.url)
    assert response.status_code == 303
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("kg_editor="))
    assert all(part in cookie.lower() for part in ("httponly", "secure", "samesite=strict"))


def test_a_wrong_password_is_slow_and_rate_limited(write_server):
    base = write_server.server.url
    statuses = []
    with httpx.Client(timeout=30) as client:
        for _ in range(7):
            started = time.perf_counter()
            response, _ = sign_in(client, base, password="not the password at all")
            statuses.append(response.status_code)
            if response.status_code == 401:
                assert time.perf_counter() - started >= 1.0
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429
