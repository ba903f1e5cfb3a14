"""Typed settings, read from the environment (prefix ``KG_``) once per process."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


def default_store_path() -> Path:
    """A per-user data directory: ``$XDG_DATA_HOME/ai-incidents-kg/store`` (or ``~/.local/share/...``)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "ai-incidents-kg" / "store"


class Settings(BaseSettings):
    """What a deployer can change; every field can be set as ``KG_<NAME>`` in the environment."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    store: Path = default_store_path()
    """Directory of the embedded store (``KG_STORE``)."""

    data: Path | None = None
    """Data directory to build from (``KG_DATA``); default: ``./data`` if present, else the packaged copy."""

    public_url: str = "http://127.0.0.1:8000"
    """Where the server is reached from outside, used in service descriptions and links."""


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use."""
    return Settings()
