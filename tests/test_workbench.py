"""The query workbench in headless Chromium against the session's uvicorn: the examples give the rows the command
line gives, permalinks reopen query and view, completion, the views, helpful errors, no request leaving the server."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from backends import known_failure
from browser import serious_violations
from live_server import LiveServer
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from kg import queries
from kg.store import Solutions, TripleStore

ROWS = "return [...document.querySelectorAll('#results-table tbody tr')].map(tr => [...tr.cells].map(td => td.dataset.value));"
LOCAL = [e for e in queries.examples().values() if not e.service]




def _expected(store: TripleStore, example: queries.Example) -> list[list[str]]:
    """What ``kg query --example`` answers: the example run with its default parameters bound."""
    result = store.query(example.text, dict(example.params))
    assert isinstance(result, Solutions)
    return [[str(row[v]) if v in row else "" for v in result.variables] for row in result.rows]


def _wait_done(browser: webdriver.Chrome) -> str:
    WebDriverWait(browser, 60).until(lambda b: any(w in b.find_element(By.ID, "status").text
                                                   for w in ("row", "triple", "Error", "Answered")))
    return browser.find_element(By.ID, "status").text


def _type_query(browser: webdriver.Chrome, text: str) -> None:
    box = browser.find_element(By.ID, "query")
    browser.execute_script("arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input'));", box)
    box.send_keys(text)
    browser.find_element(By.ID, "run").click()


def _open(browser: webdriver.Chrome, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#examples button")))


def test_every_example_gives_the_rows_of_the_command_line(browser, live_server: LiveServer, store: TripleStore) -> None:
    _open(browser, live_server.url + "/query")
    for example in LOCAL:
        refusal = known_failure(live_server.backend, example.name)
        browser.execute_script("document.getElementById('status').textContent = ''")
        if refusal is not None:  # a documented difference of the backend: the page says what the store said
            browser.find_element(By.CSS_SELECTOR, f"#examples button[data-name='{example.name}']").click()
            assert "Error" in _wait_done(browser), example.name
            assert refusal in browser.find_element(By.ID, "error-message").text, example.name
            continue
        expected = _expected(store, example)
        browser.find_element(By.CSS_SELECTOR, f"#examples button[data-name='{example.name}']").click()
        status = _wait_done(browser)
        assert "row" in status, (example.name, status)
        rows = browser.execute_script(ROWS)
        assert len(rows) == len(expected), example.name
        assert sorted(rows) == sorted(expected), example.name
        if example.params:
            sent = browser.find_element(By.ID, "query").get_attribute("value")
            assert all(f"<{value}>" in sent for name, value in example.params.items()), "the bound values are in the query"


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)  # the kg command reads the embedded build
def test_kings_cross_on_the_page_is_the_real_kg_command(browser, live_server: LiveServer, backend, tmp_path) -> None:
    """The page's rows are the ``kg`` command's (the other backend is compared with its store in the test above)."""
    kg = Path(sys.executable).with_name("kg")
    out = subprocess.run([str(kg), "query", "--example", "kings-cross", "--format", "csv", "--store",
                          str(backend.store_path)], capture_output=True, text=True, check=True, timeout=120).stdout
    cli = [list(row) for row in csv.reader(io.StringIO(out))][1:]
    _open(browser, live_server.url + "/query")
    browser.find_element(By.CSS_SELECTOR, "#examples button[data-name='kings-cross']").click()
    _wait_done(browser)
    assert sorted(browser.execute_script(ROWS)) == sorted(cli) and cli


def test_parameters_are_fields_with_their_defaults_and_can_change(browser, live_server: LiveServer, store) -> None:
    example = queries.example("same-incident-elsewhere")
    _open(browser, live_server.url + "/query")
    browser.find_element(By.CSS_SELECTOR, f"#examples button[data-name='{example.name}']").click()
    _wait_done(browser)
    field = browser.find_element(By.CSS_SELECTOR, "#param-fields input[data-param=incident]")
    assert field.get_attribute("value") == str(example.params["incident"])
    other = "https://w3id.org/ai-incidents/id/incident/AIAAIC0288"
    want = store.query(example.text, {"incident": type(example.params["incident"])(other)})
    field.clear()
    field.send_keys(other)
    browser.execute_script("document.getElementById('status').textContent = ''")
    browser.find_element(By.ID, "apply-params").click()
    _wait_done(browser)
    assert len(browser.execute_script(ROWS)) == len(want.rows)
    assert f"<{other}>" in browser.find_element(By.ID, "query").get_attribute("value")


def test_federated_examples_say_why_they_are_disabled(browser, live_server: LiveServer) -> None:
    _open(browser, live_server.url + "/query")
    for example in queries.examples().values():
        if example.service:
            button = browser.find_element(By.CSS_SELECTOR, f"#examples button[data-name='{example.name}']")
            assert not button.is_enabled()
            why = button.find_element(By.XPATH, "..").find_element(By.CLASS_NAME, "why").text
            assert "needs federation" in why


VIEW_QUERIES = {
    "table": "SELECT ?incident ?title WHERE { ?incident a kg:Incident ; dct:title ?title } ORDER BY ?incident LIMIT 30",
    "bar": queries.example("issues-count").text,
    "line": queries.example("incidents-per-year").text,
    "timeline": "SELECT ?title ?occurred WHERE { ?i a kg:Incident ; dct:title ?title ; kg:occurred ?occurred } ORDER BY DESC(?occurred) LIMIT 40",
    "graph": "DESCRIBE <https://w3id.org/ai-incidents/id/incident/AIAAIC0288>",
    "map": "SELECT ?country (COUNT(?incident) AS ?incidents) WHERE { ?incident kg:jurisdiction ?country } GROUP BY ?country",
}


def test_each_view_renders_and_its_permalink_reopens_it(browser, live_server: LiveServer, artefacts: Path, backend) -> None:
    _open(browser, live_server.url + "/query")
    links = {}
    for view, text in VIEW_QUERIES.items():
        _type_query(browser, text)
        _wait_done(browser)
        browser.find_element(By.CSS_SELECTOR, f"#views button[data-view={view}]").click()
        results = browser.find_element(By.ID, "results")
        assert results.get_attribute("data-view") == view
        if view != "table":
            WebDriverWait(browser, 20).until(lambda b: results.find_elements(By.CSS_SELECTOR, "svg :is(rect, circle, polyline, path.named)"))
        browser.execute_script("arguments[0].scrollIntoView()", results)
        results.screenshot(str(artefacts / f"view-{view}-{backend.name}.png"))
        links[view] = (browser.find_element(By.ID, "permalink").get_attribute("href"), text)
    for view, (link, text) in links.items():
        browser.get("about:blank")
        browser.get(link)
        WebDriverWait(browser, 60).until(lambda b: b.find_element(By.ID, "results").get_attribute("data-view") == view)
        assert browser.find_element(By.ID, "query").get_attribute("value") == text
    assert urlsplit(links["bar"][0]).fragment.startswith("query=")


def test_literals_and_iris_are_shown_as_a_reader_needs(browser, live_server: LiveServer) -> None:
    _type_query(browser, 'SELECT ?incident ?title ?web WHERE { VALUES (?incident ?web) { '
                         '(<https://w3id.org/ai-incidents/id/incident/AIAAIC0288> <https://example.org/x>) } ?incident dct:title ?title }')
    _wait_done(browser)
    cells = browser.find_elements(By.CSS_SELECTOR, "#results-table tbody td")
    assert cells[0].find_element(By.TAG_NAME, "a").get_attribute("href") == live_server.url + "/doc/incident/AIAAIC0288"
    assert "@" not in cells[1].text
    assert cells[2].find_element(By.TAG_NAME, "a").get_attribute("href") == "https://example.org/x"
    label = WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#results-table tbody td .label"))
    assert label[0].text in {row[1] for row in browser.execute_script(ROWS)}, "the incident's label is its title"
    download = browser.find_element(By.CSS_SELECTOR, "#downloads a[data-format=csv]").get_attribute("href")
    assert len(list(csv.reader(io.StringIO(httpx.get(download, timeout=60).text)))) == 2


def test_metro_completes_to_the_metropolitan_police(browser, live_server: LiveServer) -> None:
    _open(browser, live_server.url + "/query")
    box = browser.find_element(By.ID, "query")
    browser.execute_script("arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input'));", box)
    box.send_keys("SELECT * WHERE { ?s ?p Metro")
    option = WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "#completions li[data-insert*='id/org/metropolitan-police-service']")))
    option.click()
    assert "<https://w3id.org/ai-incidents/id/org/metropolitan-police-service>" in box.get_attribute("value")
    box.send_keys(" . ?s kg:inv")
    WebDriverWait(browser, 10).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "#completions li[data-insert='kg:involvesSystem']")))
    box.send_keys(Keys.ESCAPE)


@pytest.mark.parametrize(("text", "says"), [
    ("SELECT * WHERE { ?s foo:bar ?o }", "unknown prefix 'foo:'"),
    ("SELEC * WHERE { ?s ?p ?o }", "did you mean SELECT?"),
    ("DELETE WHERE { ?s ?p ?o }", "read-only"),
])
def test_errors_say_where_and_how_to_fix(browser, live_server: LiveServer, text: str, says: str) -> None:
    _open(browser, live_server.url + "/query")
    _type_query(browser, text)
    assert "Error" in _wait_done(browser)
    message = browser.find_element(By.ID, "error-message").text
    assert says in message and "line 1, column" in message
    assert browser.find_elements(By.CSS_SELECTOR, "#highlight mark.error-mark")
    if "prefix" in says:
        assert "kg:" in message
        browser.find_element(By.ID, "add-prefix").click()
        assert browser.find_element(By.ID, "query").get_attribute("value").startswith("PREFIX foo: <")


@pytest.mark.parametrize("sample", ["met-facial-recognition", "uk-per-year", "develop-and-deploy"])
def test_the_builders_questions_give_the_rows_of_their_sparql(browser, live_server: LiveServer, store, sample: str,
                                                              artefacts: Path, backend) -> None:
    _open(browser, live_server.url + "/query")
    WebDriverWait(browser, 30).until(expected_conditions.element_to_be_clickable(
        (By.CSS_SELECTOR, f"#builder-samples button[data-sample='{sample}']"))).click()
    sparql = browser.find_element(By.ID, "builder-sparql").text
    assert "SELECT" in sparql
    expected = store.query(sparql)
    assert isinstance(expected, Solutions) and expected.rows, "each sample question has answers"
    browser.execute_script("document.getElementById('status').textContent = ''")
    browser.find_element(By.ID, "builder-run").click()
    assert "row" in _wait_done(browser)
    assert browser.find_element(By.ID, "query").get_attribute("value") == sparql, "the builder's query opens in the editor"
    want = [[str(row[v]) if v in row else "" for v in expected.variables] for row in expected.rows]
    assert sorted(browser.execute_script(ROWS)) == sorted(want)
    browser.find_element(By.ID, "builder").screenshot(str(artefacts / f"builder-{sample}-{backend.name}.png"))
    if sample == "develop-and-deploy":  # the shipped example, written by hand, names a subset of them
        named = {row[0] for row in _expected(store, queries.example("developers-that-deploy"))}
        assert named and named <= {row[1] for row in want}


def test_the_builder_offers_only_what_the_shapes_allow(browser, live_server: LiveServer) -> None:
    from kg.shape_model import builder_model

    _open(browser, live_server.url + "/query")
    starts = WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, "#builder select[aria-label='Start with']")))
    offered = {option.get_attribute("value") for option in starts.find_elements(By.TAG_NAME, "option")}
    assert offered == set(builder_model()["classes"]) and "kg:Incident" in offered


def _tab_to(browser: webdriver.Chrome, selector: str, limit: int = 80) -> None:
    """Press Tab until the element ``selector`` has the focus (fails after ``limit`` presses)."""
    target = browser.find_element(By.CSS_SELECTOR, selector)
    for _ in range(limit):
        if browser.switch_to.active_element == target:
            return
        ActionChains(browser).send_keys(Keys.TAB).perform()
    raise AssertionError(f"Tab never reached {selector}")


def test_the_workbench_works_with_the_keyboard_alone(browser, live_server: LiveServer) -> None:
    _open(browser, live_server.url + "/query")
    _tab_to(browser, "#examples button[data-name='incidents-per-year']")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert "row" in _wait_done(browser)
    _tab_to(browser, "#views button[data-view=line]")
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.find_element(By.ID, "results").get_attribute("data-view") == "line"
    browser.find_element(By.ID, "example-search").click()
    _tab_to(browser, "#query")
    browser.execute_script("arguments[0].value = ''; arguments[0].dispatchEvent(new Event('input'));", browser.switch_to.active_element)
    ActionChains(browser).send_keys("SELECT ?i WHERE { ?i a kg:Inciden").perform()
    WebDriverWait(browser, 10).until(expected_conditions.visibility_of_element_located((By.ID, "completions")))
    ActionChains(browser).send_keys(Keys.ENTER).send_keys(" } LIMIT 3").key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    assert "3 rows" in _wait_done(browser)
    assert "kg:Incident }" in browser.find_element(By.ID, "query").get_attribute("value")
    ActionChains(browser).send_keys(Keys.ESCAPE, Keys.TAB).perform()
    assert browser.switch_to.active_element.get_attribute("id") == "run", "Tab leaves the editor"


"""axe-core as vendored from the lockfile of frontend/ (frontend/vendor.py), committed with the package."""


def test_axe_finds_no_serious_or_critical_violation(browser, live_server: LiveServer) -> None:
    _open(browser, live_server.url + "/query")
    browser.find_element(By.CSS_SELECTOR, "#examples button[data-name='kings-cross']").click()
    _wait_done(browser)
    assert not serious_violations(browser)


def test_no_request_leaves_the_server(browser, live_server: LiveServer) -> None:
    """Every request of the tests above (the performance log keeps them all) went to the server under test."""
    sent = [json.loads(entry["message"])["message"] for entry in browser.get_log("performance")]
    urls = {m["params"]["request"]["url"] for m in sent if m["method"] == "Network.requestWillBeSent"}
    assert urls, "the log holds the page's requests"
    outside = {url for url in urls if not url.startswith((live_server.url + "/", "data:", "about:"))}
    assert not outside
