"""Build folders of an embedded store: write a new build beside the current one, swap it in, prune old ones.

The store directory holds ``builds/<id>/`` and a ``current`` symlink swapped atomically, so a failed build
leaves the previous store untouched and readers never see a half-written one. A server leases the build it
serves (``leases/<id>.<pid>.<n>``): pruning, done under the same lock as leasing, never removes a build leased by
a process that still runs, however many builds follow.
"""

from __future__ import annotations

import errno
import fcntl
import gc
import os
import shutil
import time
import itertools
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import NotFound, StoreError
from kg.store import BUILDS, CURRENT, KEEP_BUILDS, LINK_SUFFIX, PARTIAL, EmbeddedStore

LEASES = "leases"
LOCK = ".builds.lock"
_lease_numbers = itertools.count()


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
        store.compact()
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
    with _locked(path):
        _prune(path, keep=target.name)
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


def _prune(path: Path, keep: str) -> None:
    """Remove old complete builds, keeping the newest few and every build a running process leases."""
    leased = _leased(path)
    builds = path / BUILDS
    complete = (p for p in builds.iterdir() if p.name != keep and not p.name.endswith(PARTIAL))
    older = sorted(complete, key=lambda p: p.name, reverse=True)
    for stale in older[KEEP_BUILDS - 1 :]:
        if stale.name not in leased:
            shutil.rmtree(stale, ignore_errors=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold the store's builds lock (pruning and leasing exclude each other)."""
    path.mkdir(parents=True, exist_ok=True)
    with (path / LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Lease:
    """This process's claim on one build folder: no build prunes it until the lease is released or the process ends."""

    build: Path
    file: Path

    def release(self) -> None:
        self.file.unlink(missing_ok=True)


def lease_current(path: Path) -> Lease:
    """Lease the build ``current`` names now; NotFound when there is none."""
    path = Path(path)
    if not (path / CURRENT).exists():
        raise NotFound(f"no store at {path}: run 'kg build' first")
    try:
        with _locked(path):
            build = (path / CURRENT).resolve()
            if not build.is_dir():
                raise NotFound(f"the current build of {path} is missing ({build})")
            folder = path / LEASES
            folder.mkdir(exist_ok=True)
            file = folder / f"{build.name}.{os.getpid()}.{next(_lease_numbers)}"
            file.touch()
    except OSError as error:
        raise StoreError(f"cannot lease the current build of {path}: {error}") from error
    return Lease(build, file)


def _leased(path: Path) -> set[str]:
    """Names of the builds leased by running processes (leases of processes gone are removed)."""
    folder = path / LEASES
    names: set[str] = set()
    for lease in folder.iterdir() if folder.is_dir() else ():
        build, _, rest = lease.name.partition(".")
        pid = rest.partition(".")[0]
        if pid.isdigit() and _running(int(pid)):
            names.add(build)
        else:
            lease.unlink(missing_ok=True)
    return names
