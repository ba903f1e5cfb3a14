"""Accepted submissions into a remote store (``kg serve --store-url``): each one's named graph written through the
Graph Store Protocol by the one replica that owns the submissions database, in the background, until it is in.

Which replica owns it: the one given ``KG_SUBMISSIONS_DB``. SQLite is one file on one machine, so one process
takes submissions, holds the editors' sessions and writes to the store; the other replicas, started without it,
serve reads and refuse the write path (:class:`NotTheWriter`, 503) saying so. The writer writes every accepted
submission whose graph the store's manifest does not list yet: after each acceptance, at start (an acceptance whose
write was cut short by a crash is written then), and again after a failure. A write is a PUT of the whole graph, so
writing one twice is harmless.
"""

from __future__ import annotations

import asyncio
import logging
import secrets

from fastapi import FastAPI, Request

from kg.errors import KgError
from kg.remote_store import RemoteStore
from kg.settings import Settings
from kg.store import TripleStore
from kg.submissions.database import SubmissionDatabase
from kg.submissions.to_rdf import UnsupportedTarget, submission_graph
from server.budget import Budget
from server.coalesced import CoalescedRunner
from server.errors import HttpRefusal
from server.rebuilds import Rebuilder

log = logging.getLogger(__name__)
RETRY_SECONDS = 10.0
"""Seconds between attempts while the remote store refuses or is down."""


class NotTheWriter(HttpRefusal):
    """A write-path request (a submission, an editor's page) on a replica that does not own the submissions."""

    status = 503
    code = "not-the-writer"


def write_missing(store: RemoteStore, database: SubmissionDatabase) -> int:
    """Write into ``store`` every accepted submission whose graph its manifest does not list; the number written."""
    present = set(store.graph_names(fresh=True))
    written = 0
    for stored in database.accepted():
        try:
            graph = submission_graph(stored)
        except UnsupportedTarget:
            continue
        name = str(graph.identifier)
        if name in present:
            continue
        version = store.write_graph(name, graph.serialize(format="nt", encoding="utf-8"), f"submission-{stored.id}")
        log.warning("accepted submission %s written to %s as %s (data version %s)", stored.id, store.url, name, version)
        written += 1
    return written


class RemoteWriter:
    """Writes accepted submissions into the remote store when asked, one run at a time (a
    :class:`server.coalesced.CoalescedRunner`, as :class:`server.rebuilds.Rebuilder`, which rebuilds an embedded
    store)."""

    def __init__(self, store: RemoteStore, database: SubmissionDatabase) -> None:
        self.store = store
        self.database = database
        self._runner = CoalescedRunner(self._write)
        self.written = 0
        self.problem: str | None = None

    def request(self) -> None:
        """Ask for a write of what is missing (soon; coalesced with any already asked for)."""
        self._runner.request()

    async def _write(self) -> None:
        try:
            self.written += await asyncio.to_thread(write_missing, self.store, self.database)
            self.problem = None
        except KgError as error:
            self.problem = str(error)
            log.error("writing accepted submissions to the remote store failed (retried in %g s): %s",
                      RETRY_SECONDS, error)
            await asyncio.sleep(RETRY_SECONDS)
            self._runner.request()  # one more run, by the loop that runs this one

    def cancel(self) -> None:
        self._runner.cancel()


def open_write_path(app: FastAPI, settings: Settings, store: TripleStore) -> None:
    """The write path's state on ``app``: the submissions database (None on a replica that does not own it), the
    CSRF secret, the rate limits, and what makes an acceptance data (``rebuilder``: a background ``kg build`` of
    the embedded store, or a write into the remote store)."""
    app.state.submission_limit = Budget(settings.submission_rate, settings.submission_burst)
    app.state.login_limit = Budget(1.0, 5.0)  # five failed sign-ins at once, then one a minute
    if settings.store_url and settings.submissions_db is None:
        app.state.submissions = None
        app.state.csrf_secret = secrets.token_bytes(32)
        app.state.rebuilder = Rebuilder(settings, settings.store / "submissions.sqlite")  # disabled: a remote store
        return
    path = settings.submissions_db or settings.store / "submissions.sqlite"
    app.state.submissions = SubmissionDatabase(path)
    app.state.csrf_secret = app.state.submissions.secret("csrf")
    if isinstance(store, RemoteStore):
        app.state.rebuilder = RemoteWriter(store, app.state.submissions)
        app.state.rebuilder.request()  # what was accepted but not yet written (a crash, a store that was down)
    else:
        app.state.rebuilder = Rebuilder(settings, path)


def database_of(request: Request) -> SubmissionDatabase:
    """The submissions database of this replica, or NotTheWriter when another replica owns it."""
    database: SubmissionDatabase | None = request.app.state.submissions
    if database is None:
        raise NotTheWriter("this replica serves reads only: submissions and the editors' pages are on the replica "
                           "that owns the submissions database (the one started with KG_SUBMISSIONS_DB)")
    return database
