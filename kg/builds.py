"""Build folders of an embedded store: write a new build beside the current one, swap it in, prune old ones.

The store directory holds ``builds/<id>/`` and a ``current`` symlink swapped atomically, so a failed build
leaves the previous store untouched and readers never see a half-written one.
"""

from __future__ import annotations

import errno
import gc
import os
import shutil
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kg.errors import StoreError
from kg.store import BUILDS, CURRENT, KEEP_BUILDS, LINK_SUFFIX, PARTIAL, EmbeddedStore


def build_into(path: Path, fill: Callable[[EmbeddedStore], None]) -> Path:
    """Build a new store beside the current one and make it current only if ``fill`` succeeds.

    The store directory holds ``builds/<id>/`` and a ``current`` symlink swapped atomically, so a
    failed build leaves the previous store untouched and readers never see a half-written one. A build
    is written as ``builds/<id>.<pid>.partial`` and renamed when complete; the partial folders of builds
    that were killed (their process is gone) are removed by the next build before it starts writing.
    A write that fails (a full disk) raises StoreError naming the folder; the partial build is removed.
    """
    path = Path(path)
    builds = path / BUILDS
    builds.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(path)
    name = f"{time.strftime('%Y%m%dT%H%M%S')}-{time.monotonic_ns()}"
    partial, target = builds / f"{name}.{os.getpid()}{PARTIAL}", builds / name
    store: EmbeddedStore | None = None
    try:
        store = EmbeddedStore(ox.Store(str(partial)), partial)
        fill(store)
        store._store.flush()
        store = None
        gc.collect()
        os.replace(partial, target)
        link = path / f"{CURRENT}.{os.getpid()}{LINK_SUFFIX}"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(BUILDS) / target.name)
        os.replace(link, path / CURRENT)
    except BaseException as error:
        # Close the half-written store before deleting it: its background threads would otherwise write
        # files into the folder while it is removed. The traceback's frames (fill's) still hold it.
        store = None
        traceback.clear_frames(error.__traceback__)
        gc.collect()
        shutil.rmtree(partial, ignore_errors=True)
        if (path / CURRENT).resolve() != target.resolve():
            shutil.rmtree(target, ignore_errors=True)
        if isinstance(error, OSError):
            raise StoreError(_write_failure(builds, error)) from error
        raise
    _prune(builds, keep=target.name)
    return target


def _write_failure(builds: Path, error: OSError) -> str:
    """What to tell when a build could not be written (the full disk case named as such)."""
    if error.errno == errno.ENOSPC or "No space left" in str(error):
        return f"no space left on the device for the new build in {builds} ({error}); the previous store is kept"
    return f"cannot write the new build in {builds}: {error}; the previous store is kept"


def _remove_abandoned(path: Path) -> None:
    """Remove partial builds and temporary ``current`` links left by build processes that no longer run."""
    leftovers = [p for p in (path / BUILDS).iterdir() if p.name.endswith(PARTIAL)]
    leftovers += [p for p in path.iterdir() if p.name.startswith(f"{CURRENT}.") and p.name.endswith(LINK_SUFFIX)]
    for leftover in leftovers:
        pid = leftover.name.removesuffix(PARTIAL).removesuffix(LINK_SUFFIX).rsplit(".", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            if leftover.is_symlink() or not leftover.is_dir():
                leftover.unlink(missing_ok=True)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process with this id exists (this process counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _prune(builds: Path, keep: str) -> None:
    """Remove old complete builds, keeping the newest few (a server may still read the previous one)."""
    complete = (p for p in builds.iterdir() if p.name != keep and not p.name.endswith(PARTIAL))
    older = sorted(complete, key=lambda p: p.name, reverse=True)
    for stale in older[KEEP_BUILDS - 1 :]:
        shutil.rmtree(stale, ignore_errors=True)
