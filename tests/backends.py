"""The backends the suite runs on: the embedded store and a remote store (Virtuoso), each as the settings that pick it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.settings import Settings
from kg.store import TripleStore

BACKENDS = ("embedded", "virtuoso")


@dataclass(frozen=True)
class Backend:
    """One way of serving the session's build: its name, the store, and the settings that select it."""

    name: str
    store: TripleStore
    store_path: Path
    remote: dict[str, str]
    """store_url, store_user, store_password of the remote store (empty for the embedded one)."""
    releases: Path | None = None

    def values(self) -> dict[str, object]:
        """The setting values that select this backend (``Settings`` field names)."""
        chosen: dict[str, object] = {"store": self.store_path, **self.remote}
        if self.releases is not None:
            chosen["releases"] = self.releases
        return chosen

    def settings(self, **overrides: object) -> Settings:
        """Settings for an app on this backend, with ``overrides``."""
        return Settings(**{**self.values(), **overrides})  # type: ignore[arg-type]

    def environment(self) -> dict[str, str]:
        """The same choice as ``KG_*`` keyword values for :func:`live_server.start_server` (store path apart)."""
        return {name: str(value) for name, value in self.values().items() if name != "store"}


KNOWN_FAILURES = {("virtuoso", "incidents-by-developer"): "Max row length is exceeded"}
"""Example queries a backend cannot answer, and what it says instead: Virtuoso fails to sort rows holding a string
longer than about 4 KB (this example's longest GROUP_CONCAT is 4.4 KB). Documented in docs/scale-out.md."""


def known_failure(backend: str, example: str) -> str | None:
    """What ``backend`` says instead of answering ``example``, if it is a documented difference; None otherwise."""
    return KNOWN_FAILURES.get((backend, example))
