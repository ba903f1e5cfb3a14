"""Debian tools some tests call (chromium and chromedriver, rapper): found, or the test skips saying how to
install them; ``KG_REQUIRE_<TOOL>=1`` (set by ``.ci/run``) makes a missing tool a failure instead."""

from __future__ import annotations

import os
import shutil

import pytest

TOOLS = {
    "chromium": ("CHROMIUM", "chromium", "apt-get install chromium"),
    "chromedriver": ("CHROMIUM", "chromedriver", "apt-get install chromium-driver"),
    "rapper": ("RAPPER", "rapper", "apt-get install raptor2-utils"),
}


def require_tool(name: str) -> str:
    """The path of the tool ``name`` (a key of TOOLS); skips the test when it is missing, or fails when required."""
    variable, command, install = TOOLS[name]
    path = shutil.which(command)
    if path is not None:
        return path
    reason = f"{command} is not installed ({install})"
    if os.environ.get(f"KG_REQUIRE_{variable}") == "1":
        pytest.fail(f"{reason}, and KG_REQUIRE_{variable}=1 requires it")
    pytest.skip(f"{reason}; set KG_REQUIRE_{variable}=1 to make this a failure")
