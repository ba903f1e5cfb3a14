"""The search index of a remote store's data version, built by each replica into a local folder it keeps.

A server reading a remote store (``kg serve --store-url``) has no build folder: it writes the index of the data
version it serves to ``<folder>/<version>/search.sqlite`` with :func:`kg.search.build_index`, reading the store
through the same ``kg/queries/search/*.rq`` files as ``kg build``, and writes it again when the version changes.
Indexes of older versions are removed once a newer one is written, but the previous one stays, for searches
still running on it.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from kg.search.index import INDEX_FILE, build_index
from kg.store import TripleStore

log = logging.getLogger(__name__)
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
KEEP = 2
"""Indexes kept in the folder: the one served and the one before it."""


def replica_index(folder: Path, version: str) -> Path:
    """Where the index of data ``version`` lives under ``folder`` (the version made safe as a folder name)."""
    name = _SAFE.sub("_", version) or "unversioned"
    return Path(folder) / name / INDEX_FILE


def ensure_replica_index(store: TripleStore, folder: Path, version: str) -> Path:
    """The index of ``version`` under ``folder``, built from ``store`` first if it is not there yet."""
    path = replica_index(folder, version)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        counts = build_index(store, path, version)
        log.warning("search index of data version %s written to %s: %s documents in %.1f s",
                    version, path, counts["documents"], counts["seconds"])
        _prune(Path(folder), path.parent)
    return path


def _prune(folder: Path, newest: Path) -> None:
    """Remove all but the KEEP most recently written indexes (``newest`` among them)."""
    written = sorted((p for p in folder.iterdir() if p.is_dir() and (p / INDEX_FILE).exists()),
                     key=lambda p: (p == newest, (p / INDEX_FILE).stat().st_mtime_ns), reverse=True)
    for stale in written[KEEP:]:
        shutil.rmtree(stale, ignore_errors=True)
