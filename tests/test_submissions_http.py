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
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from live_server import LiveServer, start_server, stop_server
from mounts import tmpfs

from kg.search import SearchRequest, index_of, search
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


ORGANISATION_OF_KINGS_CROSS = """SELECT ?org WHERE {
  <https://w3id.org/ai-incidents/id/incident/AIAAIC0288> kg:involvesSystem ?system .
  ?involvement kg:involvedIn ?system ; kg:agent ?org . ?org a kg:Organisation } ORDER BY ?org LIMIT 1"""

FIRST_BUILD: list[str] = []
"""The name of the build the write servers start from (a rebuild after an acceptance makes another)."""


def copy_build(embedded_store: EmbeddedStore, into: Path) -> Path:
    assert embedded_store.location is not None
    FIRST_BUILD[:] = [embedded_store.location.name]
    (into / "builds").mkdir(parents=True)
    shutil.copytree(embedded_store.location, into / "builds" / embedded_store.location.name)
    (into / "current").symlink_to(Path("builds") / embedded_store.location.name)
    return into


RELEASES: list[Path] = []
"""One releases folder for every server of this module: the release of the copied build is written once."""


def start(store: Path, database: Path, log: Path, **settings: str) -> tuple[subprocess.Popen[bytes], LiveServer]:
    return start_server(store, log, submissions_db=str(database), releases=str(RELEASES[0]), **settings)


@pytest.fixture(scope="module", autouse=True)
def releases(tmp_path_factory) -> None:
    RELEASES[:] = [tmp_path_factory.mktemp("write-path-releases")]


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
        real = csrf_of(form.text)
        for token in ("", "0" * 64, real[:-1] + ("1" if real[-1] == "0" else "0")):  # the last a different digit
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
    # its own loopback address: sign-ins are limited per client (its address), and the other tests sign in from 127.0.0.1
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.7"), timeout=30) as client:
        for _ in range(7):
            started = time.perf_counter()
            response, _ = sign_in(client, base, password="not the password at all")
            statuses.append(response.status_code)
            if response.status_code == 401:
                assert time.perf_counter() - started >= 1.0
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429
    with httpx.Client(timeout=30) as elsewhere:  # another client is not refused for it
        assert sign_in(elsewhere, base)[0].status_code == 303


# -- the whole flow, as people do it ---------------------------------------------------------------------------


def wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(1)
    raise AssertionError(f"not within {seconds:g} s: {what}")


def test_a_reported_incident_and_a_correction_become_data_once_an_editor_accepts_them(write_server, browser):
    from selenium.webdriver.common.by import By

    base = write_server.server.url.replace("127.0.0.1", "localhost")  # a secure context: Secure cookies work
    browser.get(f"{base}/submit")
    for name, value in (("title", NEW_INCIDENT["title"]), ("when", "2024-03"), ("description", NEW_INCIDENT["description"]),
                        ("deployers", "British Transport Police"), ("countries", "GB"),
                        ("technologies", NEW_INCIDENT["technologies"][0]), ("source_url_0", SOURCE["url"]),
                        ("source_publisher_0", SOURCE["publisher"]), ("source_date_0", SOURCE["date"])):
        browser.find_element(By.ID, name).send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    tracking = wait_for(lambda: browser.find_elements(By.PARTIAL_LINK_TEXT, "/submissions/"), 30, "a receipt")[0]
    token = tracking.text.rsplit("/", 1)[-1]
    assert browser.title != "owned" and XSS in browser.page_source.replace("&lt;", "<").replace("&gt;", ">").replace(
        "&amp;", "&").replace("&quot;", '"') and "<script>document" not in browser.page_source
    number = SubmissionDatabase(write_server.database).by_token(token).id

    correction = httpx.post(f"{write_server.server.url}/api/submissions", timeout=60, json={
        "kind": "correction", "target": "https://w3id.org/ai-incidents/id/incident/AIAAIC0288",
        "problem": "The page omits that the cameras were switched off in March 2018.",
        "proposed": "The system ran from May 2016 to March 2018.", "sources": [SOURCE]})
    assert correction.status_code == 201, correction.text
    correction_number = SubmissionDatabase(write_server.database).by_token(correction.json()["token"]).id
    organisation = str(EmbeddedStore.open(write_server.store).query(ORGANISATION_OF_KINGS_CROSS).rows[0]["org"])  # type: ignore[union-attr]
    renamed = httpx.post(f"{write_server.server.url}/api/submissions", timeout=60, json={
        "kind": "correction", "target": organisation, "problem": "This organisation's page omits its former name.",
        "sources": [SOURCE]})
    assert renamed.status_code == 201, renamed.text
    organisation_number = SubmissionDatabase(write_server.database).by_token(renamed.json()["token"]).id

    browser.get(f"{base}/editor/login")
    browser.find_element(By.ID, "name").send_keys("ada")
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(lambda: browser.current_url.endswith("/editor/queue"), 30, "the queue after signing in")
    for item in (number, correction_number, organisation_number):
        browser.get(f"{base}/editor/submissions/{item}")
        browser.find_element(By.ID, "note").send_keys("Checked against the source.")
        browser.find_element(By.CSS_SELECTOR, "button[value=accept]").click()
        # the review page itself says "Review queue" (its way back): wait for the redirect that follows the decision
        wait_for(lambda: f"decided={item}" in browser.current_url, 60, "the queue after accepting")
    assert all(SubmissionDatabase(write_server.database).by_id(item).state == "accepted"
               for item in (number, correction_number, organisation_number))

    iri = f"https://w3id.org/ai-incidents/id/incident/KG-{number:04d}"
    ask = f"ASK {{ <{iri}> a <https://w3id.org/ai-incidents/def/Incident> }}"

    def rebuilt_with_it() -> bool:
        current = (write_server.store / "current").resolve()
        if current.name == FIRST_BUILD[0]:
            return False
        return bool(EmbeddedStore.open(write_server.store).query(ask).value)  # type: ignore[union-attr]

    wait_for(rebuilt_with_it, 300, "a background rebuild that holds the accepted incident")
    # the running server follows the new build: the incident's page, and the correction on AIAAIC0288's page
    page = f"{base}/doc/incident/KG-{number:04d}"
    html = {"Accept": "text/html"}
    wait_for(lambda: httpx.get(page, headers=html, timeout=30).status_code == 200, 120, "the running server serving the new incident")
    assert "<script>document" not in httpx.get(page, headers=html, timeout=30).text  # shown escaped
    kings_cross = httpx.get(f"{base}/doc/incident/AIAAIC0288", headers=html, timeout=30).text
    assert "The page omits that the cameras were switched off in March 2018." in kings_cross
    # the organisation's page shows the correction beside what the sources say of it (its name)
    organisation_page = httpx.get(f"{base}/doc/{organisation.split('/id/', 1)[1]}", headers=html, timeout=30).text
    label = EmbeddedStore.open(write_server.store).query(f"SELECT ?l WHERE {{ <{organisation}> rdfs:label ?l }}").rows[0]["l"]  # type: ignore[union-attr]
    assert "This organisation&#39;s page omits its former name." in organisation_page and str(label) in organisation_page
    # the running server's search and SPARQL endpoint find the new incident (its search index is the new build's)
    served = (write_server.store / "current").resolve()
    hits = search(index_of(served), SearchRequest("Station trial of live face recognition")).hits
    assert iri in [hit.iri for hit in hits]
    answer = httpx.get(f"{base}/api/search", params={"q": "Station trial of live face recognition"},
                       headers={"Accept": "application/json"}, timeout=30)
    assert answer.status_code == 200 and iri in [hit["iri"] for hit in answer.json()["hits"]]
    asked = httpx.get(f"{base}/sparql", params={"query": ask}, headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert asked.status_code == 200 and asked.json()["boolean"] is True
    browser.get(f"{base}/submissions/{token}")
    assert "accepted" in browser.page_source and "Checked against the source." in browser.page_source
    # the correction's receipt links to its claim on the corrected page
    corrected = httpx.get(f"{base}/submissions/{correction.json()['token']}", timeout=30).text
    assert f'href="/doc/incident/AIAAIC0288#submission-{correction_number}"' in corrected
    assert f'id="submission-{correction_number}"' in kings_cross


# -- faults and load -------------------------------------------------------------------------------------------

def test_sigkill_of_the_server_during_50_submissions_loses_none_that_got_a_receipt(embedded_store, tmp_path):
    store, database = copy_build(embedded_store, tmp_path / "store"), tmp_path / "submissions.sqlite"
    receipts: list[str] = []
    rng = random.Random(11)
    sent = 0
    for round_ in range(4):  # three rounds killed at a random moment, then one that sends the rest
        process, server = start(store, database, tmp_path / f"server-{round_}.log", submission_burst="100")
        killer = None
        if round_ < 3:
            killer = threading.Timer(rng.uniform(0.3, 2.0), os.kill, (process.pid, signal.SIGKILL))
            killer.start()
        with httpx.Client(timeout=30) as client:
            while sent < 50:
                try:
                    answer = client.post(f"{server.url}/api/submissions", json={**NEW_INCIDENT, "title": f"t{sent}"})
                except httpx.TransportError:
                    break  # killed while sending or answering: no receipt, so nothing promised
                sent += 1
                if answer.status_code == 201:
                    receipts.append(answer.json()["token"])
        if killer is not None:
            killer.join()
        if process.poll() is None:
            stop_server(process)
        process.wait(timeout=30)
    assert sent >= 50 and len(receipts) >= 45
    db = SubmissionDatabase(database)
    assert all(db.by_token(token).state == "received" for token in receipts)


def test_a_full_disk_answers_507_and_loses_nothing_already_acknowledged(embedded_store, tmp_path):
    with tmpfs(tmp_path / "disk", "400k") as disk:
        store = copy_build(embedded_store, tmp_path / "store")
        process, server = start(store, disk / "submissions.sqlite", tmp_path / "server.log", submission_burst="1000")
        try:
            acknowledged, statuses = [], set()
            with httpx.Client(timeout=30) as client:
                for n in range(400):
                    answer = client.post(f"{server.url}/api/submissions",
                                         json={**NEW_INCIDENT, "title": f"t{n}", "description": "x" * 9_000})
                    statuses.add(answer.status_code)
                    if answer.status_code == 201:
                        acknowledged.append(answer.json()["token"])
                    elif answer.status_code == 507:
                        assert "no space left" in answer.text
                        break
            assert 507 in statuses and acknowledged and statuses <= {201, 507}
        finally:
            stop_server(process)
        db = SubmissionDatabase(disk / "submissions.sqlite")
        assert all(db.by_token(token).state == "received" for token in acknowledged)
        db.close()


def test_100_submissions_from_20_clients_at_once_are_all_kept_while_lookups_stay_fast(embedded_store, tmp_path):
    store, database = copy_build(embedded_store, tmp_path / "store"), tmp_path / "submissions.sqlite"
    process, server = start(store, database, tmp_path / "server.log")
    lookup = {"query": "SELECT ?t WHERE { <https://w3id.org/ai-incidents/id/incident/AIAAIC0288> "
                       "<http://purl.org/dc/terms/title> ?t }"}
    try:
        def submit(client_number: int) -> list[str]:
            transport = httpx.HTTPTransport(local_address=f"127.0.0.{10 + client_number}")
            with httpx.Client(transport=transport, timeout=60) as client:
                tokens = []
                for n in range(5):
                    answer = client.post(f"{server.url}/api/submissions",
                                         json={**NEW_INCIDENT, "title": f"client {client_number} #{n}"})
                    assert answer.status_code == 201, answer.text
                    tokens.append(answer.json()["token"])
                return tokens

        latencies: list[float] = []
        with concurrent.futures.ThreadPoolExecutor(max_workers=21) as pool:
            futures = [pool.submit(submit, n) for n in range(20)]
            with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.5"), timeout=30) as reader:
                while not all(f.done() for f in futures) and len(latencies) < 2_000:
                    started = time.perf_counter()
                    assert reader.get(server.endpoint, params=lookup).status_code == 200
                    latencies.append(time.perf_counter() - started)
                    time.sleep(0.02)
            tokens = [token for future in futures for token in future.result()]
        assert len(tokens) == 100
        db = SubmissionDatabase(database)
        assert all(db.by_token(token).state == "received" for token in tokens)
        latencies.sort()
        assert latencies and latencies[int(len(latencies) * 0.99) - 1 if len(latencies) > 1 else 0] < 1.0, latencies[-5:]
    finally:
        stop_server(process)
