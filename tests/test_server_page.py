"""The query page in headless Chromium (Debian's chromium and chromedriver, driven by Selenium) against the session's uvicorn."""

from __future__ import annotations

from live_server import LiveServer
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from kg import queries
from kg.store import Solutions, TripleStore


def _table(browser: webdriver.Chrome) -> tuple[list[str], list[list[str]]]:
    table = WebDriverWait(browser, 20).until(expected_conditions.presence_of_element_located((By.ID, "results-table")))
    head = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
    rows = browser.execute_script(  # one call for the whole table: a call per cell takes minutes on a large result
        "return [...arguments[0].tBodies[0].rows].map(tr => [...tr.cells].map(td => td.innerText));", table)
    return head, rows


def test_type_a_query_and_read_the_table(browser: webdriver.Chrome, live_server: LiveServer, store: TripleStore) -> None:
    text = "SELECT ?notation WHERE { ?incident a kg:Incident ; skos:notation ?notation } ORDER BY ?notation"
    expected = store.query(text)
    assert isinstance(expected, Solutions) and expected.rows
    browser.get(live_server.url + "/query")
    box = browser.find_element(By.ID, "query")
    box.clear()
    box.send_keys(text)
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    head, rows = _table(browser)
    assert head == ["notation"]
    assert rows == [[str(row["notation"])] for row in expected.rows]
    assert "row" in browser.find_element(By.ID, "status").text
    download = browser.find_element(By.CSS_SELECTOR, "#downloads a[data-format=csv]")
    assert "format=csv" in download.get_attribute("href")  # type: ignore[operator]


def test_pick_an_example_in_one_click(browser: webdriver.Chrome, live_server: LiveServer, store: TripleStore) -> None:
    example = queries.example("incidents-per-year")
    expected = store.query(example.text)
    assert isinstance(expected, Solutions)
    browser.get(live_server.url + "/query")
    button = WebDriverWait(browser, 20).until(
        expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, f"#examples button[data-name='{example.name}']"))
    )
    button.click()
    WebDriverWait(browser, 20).until(lambda b: "row" in b.find_element(By.ID, "status").text)
    head, rows = _table(browser)
    assert head == expected.variables
    assert rows == [[str(row.get(v, "")) for v in expected.variables] for row in expected.rows]


def test_errors_are_shown(browser: webdriver.Chrome, live_server: LiveServer) -> None:
    browser.get(live_server.url + "/query")
    box = browser.find_element(By.ID, "query")
    box.clear()
    box.send_keys("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 20).until(lambda b: "Error 400" in b.find_element(By.ID, "status").text)
    assert "SERVICE" in browser.find_element(By.ID, "error-message").text


def test_only_web_iris_become_links(browser: webdriver.Chrome, live_server: LiveServer) -> None:
    """A result may hold any IRI: javascript: and data: ones are shown as text, never as a link to click."""
    browser.get(live_server.url + "/query")
    box = browser.find_element(By.ID, "query")
    box.clear()
    box.send_keys("SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <data:text/html,hello> <https://example.org/fine> } }")
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    expected = ["data:text/html,hello", "https://example.org/fine", "javascript:alert(1)"]
    try:  # the table of the page's previous query may still show until this query's answer is drawn
        WebDriverWait(browser, 20, ignored_exceptions=(StaleElementReferenceException,)).until(lambda _: sorted(row[0] for row in _table(browser)[1] if row) == expected)
    except TimeoutException:
        pass
    head, rows = _table(browser)
    assert sorted(row[0] for row in rows) == expected
    links = browser.find_elements(By.CSS_SELECTOR, "#results-table a")
    assert [link.get_attribute("href") for link in links] == ["https://example.org/fine"]
