"""A small real tmpfs for full-disk tests (mounting needs root: skip with the reason, or fail when KG_REQUIRE_MOUNT=1)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(mount: Path, size: str) -> Iterator[Path]:
    """``mount`` as a tmpfs of ``size`` (e.g. ``512k``) for the duration of the block."""
    if os.geteuid() != 0:
        reason = "mounting a tmpfs needs root"
        if os.environ.get("KG_REQUIRE_MOUNT") == "1":
            pytest.fail(f"{reason}, and KG_REQUIRE_MOUNT=1 (set by .ci/run, which runs as root) requires it")
        pytest.skip(f"{reason}; .ci/run sets KG_REQUIRE_MOUNT=1 to make this a failure")
    mount.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
