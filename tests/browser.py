"""Headless Chromium for the tests of pages people use: one driver per module, its network log, axe-core, screenshots.

Every page test takes the ``browser`` fixture (conftest.py), which starts Debian's chromium and chromedriver through
Selenium with the performance log on, so :func:`requested_urls` can prove no request left the server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from tools import require_tool

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1400")
AXE = Path(__file__).resolve().parent.parent / "server" / "static" / "vendor" / "axe-core" / "axe.min.js"


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    """A headless Chromium (skipped when not installed, a failure under KG_REQUIRE_CHROMIUM=1)."""
    options = webdriver.ChromeOptions()
    options.binary_location = require_tool("chromium")
    for flag in FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(require_tool("chromedriver")))
    try:
        yield driver
    finally:
        driver.quit()


def requested_urls(driver: webdriver.Chrome) -> list[str]:
    """The URLs the browser requested since the log was last read (the performance log empties as it is read)."""
    messages = (json.loads(entry["message"])["message"] for entry in driver.get_log("performance"))
    return [m["params"]["request"]["url"] for m in messages if m["method"] == "Network.requestWillBeSent"]


def serious_violations(driver: webdriver.Chrome) -> list[tuple[str, str, list[object]]]:
    """axe-core's serious and critical accessibility violations of the page open in ``driver``."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    result = driver.execute_async_script("const done = arguments[arguments.length - 1]; "
                                         "axe.run(document).then(r => done(r.violations), e => done(String(e)));")
    assert isinstance(result, list), result
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result if v["impact"] in ("serious", "critical")]


def artefacts_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots are kept: $KG_TEST_ARTEFACTS, else a folder of the session's tmp directory."""
    folder = Path(os.environ.get("KG_TEST_ARTEFACTS") or tmp_path_factory.getbasetemp() / "artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
