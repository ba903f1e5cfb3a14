"""Editors: sign in (``/editor/login``), the review queue (``/editor/queue``), one submission beside what the graph
says now, and the decision (accept, reject, or edit then accept, with a note). Every form carries a CSRF token."""

from __future__ import annotations

import asyncio
import json
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from rdflib import URIRef
from starlette.concurrency import run_in_threadpool

from kg.submissions.database import STATES, SubmissionDatabase
from kg.submissions.model import InvalidSubmission, read_submission
from kg.submissions.passwords import verify_password
from server import protocol
from server.editor_sessions import (SESSION_SECONDS, NotSignedIn, check_csrf, csrf_token, end_session,
                                    session_token, set_csrf_cookie, start_session)
from server.errors import OverBudget
from server.rendering import render
from server.submission_writes import database_of
from server.routers.submissions import TooManySubmissions
from server.submission_checks import shape_problems

router = APIRouter(prefix="/editor", include_in_schema=False)
FAILED_SIGN_IN_DELAY = 1.0
DECISIONS = {"accept": "accepted", "reject": "rejected", "review": "under-review"}


def _database(request: Request) -> SubmissionDatabase:
    return database_of(request)


async def _editor(request: Request) -> str:
    """The signed-in editor, or NotSignedIn (401); NotTheWriter (503) on a replica that does not own the submissions."""
    database = _database(request)
    token = session_token(request)
    editor = await run_in_threadpool(database.session_editor, token) if token else None
    if editor is None:
        raise NotSignedIn("sign in as an editor first: /editor/login")
    return editor


def _page(request: Request, template: str, status: int = 200, **context: object) -> Response:
    token, fresh = csrf_token(request, request.app.state.csrf_secret)
    return set_csrf_cookie(render(request, template, status=status, csrf=token, **context), fresh,
                           request.app.state.settings.cookie_secure)


@router.get("/login")
def login_form(request: Request) -> Response:
    _database(request)
    return _page(request, "editor_login.html", failed=False)


@router.post("/login")
async def login(request: Request) -> Response:
    _database(request)
    form = await request.form(max_fields=8, max_files=0)
    check_csrf(request, str(form.get("csrf", "")), request.app.state.csrf_secret)
    client = protocol.client_of(request)
    limit = request.app.state.login_limit
    try:
        limit.check(client)
    except OverBudget as error:
        raise TooManySubmissions("too many failed sign-ins from this client: wait and try again",
                                 retry_after=error.retry_after) from None
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    stored = await run_in_threadpool(_database(request).editor_hash, name)
    ok = await run_in_threadpool(verify_password, password, stored or "scrypt$32768$8$1$00$00")
    if not (ok and stored):
        limit.spend(client, 1)
        await asyncio.sleep(FAILED_SIGN_IN_DELAY)
        return _page(request, "editor_login.html", status=401, failed=True)
    token = secrets.token_urlsafe(32)
    await run_in_threadpool(_database(request).open_session, name, token, SESSION_SECONDS)
    response = RedirectResponse("/editor/queue", status_code=303)
    start_session(response, token, request.app.state.settings.cookie_secure)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await request.form(max_fields=4, max_files=0)
    check_csrf(request, str(form.get("csrf", "")), request.app.state.csrf_secret)
    token = session_token(request)
    if token:
        await run_in_threadpool(_database(request).close_session, token)
    response = RedirectResponse("/editor/login", status_code=303)
    end_session(response)
    return response


@router.get("/queue")
async def queue(request: Request, state: str | None = None, kind: str | None = None) -> Response:
    editor = await _editor(request)
    rows = await run_in_threadpool(_database(request).queue, state or None, kind or None, 200)
    return _page(request, "editor_queue.html", editor=editor, rows=rows, state=state or "", kind=kind or "",
                 states=STATES)


async def _graph_now(request: Request, target: str) -> list[tuple[str, str]]:
    """What the graph says now about ``target`` (its own statements, through the executor), as (property, value)."""
    if not target:
        return []
    graph = await request.app.state.executor.graph("describe", protocol.client_of(request), resource=URIRef(target))
    return sorted((str(p), str(o)) for s, p, o in graph if str(s) == target)[:200]


@router.get("/submissions/{number}")
async def review(request: Request, number: int) -> Response:
    editor = await _editor(request)
    stored = await run_in_threadpool(_database(request).by_id, number)
    now = await _graph_now(request, stored.submission.target)
    return _page(request, "editor_review.html", editor=editor, s=stored, now=now, problems=[],
                 edited=json.dumps(json.loads(stored.submission.to_json()), indent=1, ensure_ascii=False))


@router.post("/submissions/{number}")
async def decide(request: Request, number: int) -> Response:
    editor = await _editor(request)
    form = await request.form(max_fields=8, max_files=0)
    check_csrf(request, str(form.get("csrf", "")), request.app.state.csrf_secret)
    database = _database(request)
    stored = await run_in_threadpool(database.by_id, number)
    state = DECISIONS.get(str(form.get("decision", "")), "")
    note = str(form.get("note", ""))[:2000]
    edited = None
    problems: list[str] = []
    try:
        if state == "accepted" and form.get("edited"):
            edited = read_submission(str(form["edited"]))
        if state == "accepted":
            found = await shape_problems(edited or stored.submission, request.app.state.executor,
                                         protocol.client_of(request), number, stored.submitter)
            problems = [f"{p.field}: {p.message}" for p in found]
    except InvalidSubmission as error:
        problems = [f"{p.field}: {p.message}" for p in error.problems]
    if problems or not state:
        now = await _graph_now(request, stored.submission.target)
        return _page(request, "editor_review.html", status=422, editor=editor, s=stored, now=now,
                     problems=problems or ["choose accept, reject or under review"],
                     edited=str(form.get("edited", "")) or stored.submission.to_json())
    await run_in_threadpool(database.decide, number, editor, state, note, edited)
    if state == "accepted":
        request.app.state.rebuilder.request()
    return RedirectResponse(f"/editor/queue?decided={number}", status_code=303)
