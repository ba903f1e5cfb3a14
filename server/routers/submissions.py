"""Report an incident or improve a page: the form (``/submit``), the JSON API (``POST /api/submissions``) and the
tracking page a receipt links to (``/submissions/{token}``). Nothing a submitter sends is fetched or run."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from kg.submissions.database import Stored, SubmissionDatabase
from kg.submissions.model import FieldProblem, InvalidSubmission, Submission, read_submission
from kg.submissions.to_rdf import shown_at
from server import protocol
from server.editor_sessions import check_csrf, csrf_token, set_csrf_cookie
from server.errors import HttpRefusal, OverBudget
from server.negotiation import wants_json
from server.rendering import render
from server.submission_writes import database_of
from server.submission_checks import shape_problems
from server.submission_form import document_from_form, form_field

router = APIRouter()
FORM_FIELDS = 64


class TooManySubmissions(HttpRefusal):
    """A client sent more submissions than it may in a while."""

    status = 429
    code = "too-many-submissions"


class NotTaken(HttpRefusal):
    """A form whose hidden trap field was filled in: a program, not a person."""

    status = 400
    code = "not-taken"


class Receipt(BaseModel):
    """What a submitter gets back: the tracking token and where to follow the submission."""

    token: str
    state: str
    tracking_url: str


def _database(request: Request) -> SubmissionDatabase:
    return database_of(request)


def _address(client: object) -> str:
    """The client's address, whatever form the request path's client identity takes."""
    return client if isinstance(client, str) else str(client[0])  # type: ignore[index]


def _local(iri: str) -> str:
    return iri.replace("https://w3id.org/ai-incidents/id/", "/doc/", 1)


def _spend(request: Request, client: object) -> None:
    try:
        request.app.state.submission_limit.check(client)
    except OverBudget as error:
        raise TooManySubmissions("this client has sent as many submissions as it may for now: try again later",
                                 retry_after=error.retry_after) from None
    request.app.state.submission_limit.spend(client, 1)


async def _take(request: Request, submission: Submission) -> Stored:
    """Check ``submission`` against the shapes (InvalidSubmission) and store it: once this returns it is on disk."""
    client = protocol.client_of(request)
    problems = await shape_problems(submission, request.app.state.executor, client)
    if problems:
        raise InvalidSubmission(problems)
    return await run_in_threadpool(_database(request).add, submission, _address(client))


def _tracking(request: Request, stored: Stored) -> str:
    return f"{request.app.state.settings.public_url}/submissions/{stored.token}"


SUBMISSION_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["kind", "sources"],
    "properties": {
        "kind": {"enum": ["incident", "correction"]},
        **{name: {"type": "string"} for name in ("title", "when", "description", "system", "target", "problem",
                                                 "proposed", "submitter")},
        **{name: {"type": "array", "items": {"type": "string"}} for name in
           ("deployers", "developers", "countries", "sectors", "technologies", "ethical_issues", "harms")},
        "sources": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["url"], "properties": {
            "url": {"type": "string"}, "publisher": {"type": "string"}, "date": {"type": "string"}}}},
    },
}


@router.post("/api/submissions", status_code=201, response_model=Receipt,
             openapi_extra={"requestBody": {"required": True,
                                            "content": {"application/json": {"schema": SUBMISSION_SCHEMA}}}},
             responses={422: {"description": "The submission's problems, each at its field"},
                        429: {"description": "Too many submissions from this client"},
                        503: {"description": "This replica takes no submissions: another one owns them"},
                        507: {"description": "No space left to store it: nothing was written"}})
async def submit_json(request: Request) -> Response:
    """Submit a new incident (``kind: incident``) or a correction to a page (``kind: correction``), as JSON.

    ``when`` is a year, month or day (``2019``, ``2019-08``, ``2019-08-14``) or an interval (``2018-05/2019-03``);
    concepts are given by IRI, countries by ISO 3166 code; at least one source. Bounded: 64 KiB, 6 levels, each
    field's length and number of items. URLs are stored, never fetched."""
    _database(request)
    _spend(request, protocol.client_of(request))
    try:
        stored = await _take(request, read_submission(await request.body()))
    except InvalidSubmission as error:
        return JSONResponse({"error": "invalid-submission", "status": 422, "message": str(error),
                             "problems": [{"field": p.field, "message": p.message} for p in error.problems]}, 422)
    receipt = Receipt(token=stored.token, state=stored.state, tracking_url=_tracking(request, stored))
    return JSONResponse(receipt.model_dump(), 201, headers={"Location": f"/submissions/{stored.token}"})


def _form_page(request: Request, values: dict[str, str], problems: list[FieldProblem], status: int = 200) -> Response:
    token, fresh = csrf_token(request, request.app.state.csrf_secret)
    page = render(request, "submit.html", status=status, values=values, csrf=token,
                  target_href=_local(values.get("target", "")),
                  problems={form_field(p.field): p.message for p in problems})
    return set_csrf_cookie(page, fresh, request.app.state.settings.cookie_secure)


@router.get("/submit", include_in_schema=False)
def submit_form(request: Request, target: str = "") -> Response:
    """The form: a new incident, or (with ``target=IRI``) a correction to that page."""
    _database(request)  # on a replica that takes no submissions, say so rather than show a form it would refuse
    values = {"kind": "correction" if target else "incident", "target": target}
    return _form_page(request, values, [])


@router.post("/submit", include_in_schema=False)
async def submit_form_post(request: Request) -> Response:
    _database(request)
    form = await request.form(max_fields=FORM_FIELDS, max_files=0)
    values = {name: value for name, value in form.items() if isinstance(value, str)}
    check_csrf(request, values.get("csrf"), request.app.state.csrf_secret)
    if values.get("website"):
        raise NotTaken("the form's hidden field was filled in, as programs do: the submission was not taken")
    _spend(request, protocol.client_of(request))
    try:
        stored = await _take(request, read_submission(document_from_form(values)))
    except InvalidSubmission as error:
        return _form_page(request, values, error.problems, status=422)
    return _tracking_page(request, stored, new=True, status=201)


def _tracking_page(request: Request, stored: Stored, new: bool = False, status: int = 200) -> Response:
    accepted = shown_at(stored)
    return render(request, "submission.html", status=status, s=stored, new=new, tracking=_tracking(request, stored),
                  accepted_iri=accepted, accepted_href=_local(accepted))


@router.get("/submissions/{token}")
async def tracking(request: Request, token: str) -> Response:
    """A submission's state (received, under-review, accepted, rejected) and the editor's note: HTML or JSON."""
    stored = await run_in_threadpool(_database(request).by_token, token)
    if wants_json(request.headers.get("accept")):
        return JSONResponse({"token": stored.token, "state": stored.state, "note": stored.note,
                             "created": stored.created, "updated": stored.updated, "kind": stored.submission.kind})
    return _tracking_page(request, stored)
