"""A factory for ``uvicorn --factory server.main:app_from_environment``: settings from ``KG_*`` variables."""

from __future__ import annotations

from fastapi import FastAPI

from kg.settings import Settings
from server.app import create_app


def app_from_environment() -> FastAPI:
    """The app configured from the environment (what each of several uvicorn workers calls)."""
    return create_app(Settings())
