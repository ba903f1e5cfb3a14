"""Request dependencies as ``Annotated`` aliases: the settings and the query executor of the running app.

Routers read data only through the executor (server/executor.py); none of them is handed the store.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from kg.settings import Settings
from server.executor import Executor


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_executor(request: Request) -> Executor:
    """The query executor (budget, cache, worker pool)."""
    executor: Executor = request.app.state.executor
    return executor


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ExecutorDep = Annotated[Executor, Depends(get_executor)]
