"""Request dependencies as ``Annotated`` aliases: the store, the settings and the query executor of the running app."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kg.settings import Settings
from kg.store import TripleStore
from server.executor import Executor


def get_store(request: Request) -> TripleStore:
    """The store the app opened at start-up."""
    store: TripleStore = request.app.state.store
    return store


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_executor(request: Request) -> Executor:
    """The query executor (budget, cache, worker pool)."""
    executor: Executor = request.app.state.executor
    return executor


StoreDep = Annotated[TripleStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ExecutorDep = Annotated[Executor, Depends(get_executor)]
