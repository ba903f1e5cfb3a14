"""The search page (``/search``) in headless Chromium against the session's server: what people type finds its
target, a facet link narrows the result, downloads hold the whole set, nothing is fetched from elsewhere, and
axe-core finds no serious accessibility problem."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from browser import requested_urls, serious_violations
from live_server import LiveServer
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from kg.namespaces import ID


@pytest.fixture(scope="module")
def ready(live_server: LiveServer) -> LiveServer:
    """The session's server once its search index is there (a replica writes its own when it starts)."""
    deadline = time.monotonic() + 300
    while httpx.get(live_server.url + "/api/search", params={"q": "a"}, timeout=60).status_code == 503:
        assert time.monotonic() < deadline, "the search index was not written within 300 s"
        time.sleep(2)
    return live_server


def type_search(browser: webdriver.Chrome, server: LiveServer, text: str) -> list[str]:
    """Open /search, type ``text``, press Enter; the IRIs of the hits in order."""
    browser.get(server.url + "/search")
    box = browser.find_element(By.ID, "search-q")
    box.clear()
    box.send_keys(text)
    then_new_page(browser, lambda: box.send_keys(Keys.ENTER))
    return [li.get_attribute("data-iri") for li in browser.find_elements(By.CSS_SELECTOR, "li.hit")]  # type: ignore[misc]


def then_new_page(browser: webdriver.Chrome, act) -> None:
    """Do ``act`` (a click, Enter) and wait until the browser shows the page it leads to (the old one is gone)."""
    old = browser.find_element(By.TAG_NAME, "html")
    act()
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(old))
    browser.find_element(By.ID, "search-summary")


def total(browser: webdriver.Chrome) -> int:
    return int(browser.find_element(By.ID, "search-summary").text.split()[0])


@pytest.mark.parametrize(("text", "target"), [("Kings Cross", "incident/AIAAIC0288"),
                                              ("Met Police", "org/metropolitan-police-service"),
                                              ("AIAAIC099", "incident/AIAAIC0099")])
def test_typed_searches_find_their_target_first(browser: webdriver.Chrome, ready: LiveServer, text: str, target: str) -> None:
    hits = type_search(browser, ready, text)
    assert hits and hits[0] == str(ID[target]), hits[:5]
    assert urlsplit(browser.current_url).path == "/search" and "q=" in browser.current_url  # the permalink
    first = browser.find_element(By.CSS_SELECTOR, "li.hit a.label")
    assert urlsplit(first.get_attribute("href")).path == f"/doc/{target}"  # type: ignore[arg-type]


def test_clicking_facets_narrows_the_result_and_combines(browser: webdriver.Chrome, ready: LiveServer,
                                                         artefacts: Path, backend) -> None:
    type_search(browser, ready, "facial recognition")
    before = total(browser)
    country = browser.find_element(By.CSS_SELECTOR, "a[data-facet=country]")
    expected = int(country.find_element(By.XPATH, "following-sibling::span").text)
    then_new_page(browser, country.click)
    assert total(browser) == expected < before
    assert browser.find_element(By.CSS_SELECTOR, "a[data-facet=country].on")
    year = browser.find_element(By.CSS_SELECTOR, "a[data-facet=year]")
    narrower = int(year.find_element(By.XPATH, "following-sibling::span").text)
    then_new_page(browser, year.click)
    assert total(browser) == narrower <= expected
    assert len(browser.find_elements(By.CSS_SELECTOR, "ul.active a.remove")) == 2
    csv = browser.find_element(By.ID, "download-csv").get_attribute("href")
    rows = httpx.get(csv, timeout=60).text.strip().splitlines()  # type: ignore[arg-type]
    assert len(rows) - 1 == narrower
    browser.save_screenshot(str(artefacts / f"search-page-{backend.name}.png"))
    remove = browser.find_element(By.CSS_SELECTOR, "ul.active a.remove")
    then_new_page(browser, remove.click)  # removing the country keeps the year
    assert total(browser) >= narrower and len(browser.find_elements(By.CSS_SELECTOR, "ul.active a.remove")) == 1


def test_the_page_fetches_nothing_from_elsewhere_and_passes_axe(browser: webdriver.Chrome, ready: LiveServer) -> None:
    requested_urls(browser)  # empties the log
    type_search(browser, ready, "police")
    urls = requested_urls(browser)
    assert urls and all(url.startswith(ready.url) for url in urls), urls
    assert not serious_violations(browser)
