"""``/docs`` in headless Chromium: Swagger UI from the vendored assets shows the server's OpenAPI description,
and no request leaves the server (the browser's network log)."""

from __future__ import annotations


import httpx
from browser import requested_urls
from live_server import LiveServer
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def test_docs_shows_the_openapi_description_from_self_hosted_assets(browser: webdriver.Chrome, live_server: LiveServer) -> None:
    described = httpx.get(live_server.url + "/openapi.json", timeout=30).json()
    browser.get_log("performance")  # start the network log afresh
    browser.get(live_server.url + "/docs")
    title = WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".swagger-ui .info .title")))
    assert described["info"]["title"] in title.text
    operations = WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"))
    assert "/sparql" in {op.text.replace("\u200b", "") for op in operations}
    urls = requested_urls(browser)
    assert any(url.endswith("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js") for url in urls)
    assert any(url.endswith("/openapi.json") for url in urls)
    outside = [url for url in urls if not url.startswith(live_server.url) and not url.startswith(("data:", "blob:"))]
    assert outside == []


def test_the_vendored_files_are_the_ones_recorded(live_server: LiveServer) -> None:
    import hashlib

    versions = httpx.get(live_server.url + "/static/vendor/VERSIONS.json", timeout=30).json()
    assert {"axe-core", "swagger-ui-dist"} <= versions.keys()
    for library, entry in versions.items():
        for name, digest in entry["files"].items():
            body = httpx.get(f"{live_server.url}/static/vendor/{library}/{name}", timeout=30).content
            assert hashlib.sha256(body).hexdigest() == digest, (library, name)
