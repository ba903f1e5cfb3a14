"""Who is signed in, and CSRF tokens: editors' sessions in HttpOnly, Secure, SameSite=Strict cookies; a CSRF token
on every form (bound to the editor's session, or, on the public forms, to a cookie of its own: double submit)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from server.errors import HttpRefusal

SESSION_COOKIE = "kg_editor"
CSRF_COOKIE = "kg_csrf"
SESSION_SECONDS = 8 * 3600


class NotSignedIn(HttpRefusal):
    """An editor's page or action asked for without a valid session."""

    status = 401
    code = "not-signed-in"


class BadCsrfToken(HttpRefusal):
    """A form sent without the token the page gave it (or with a forged one)."""

    status = 403
    code = "csrf"


def _cookie(response: Response, name: str, value: str, seconds: int | None, secure: bool) -> None:
    response.set_cookie(name, value, max_age=seconds, httponly=True, secure=secure, samesite="strict", path="/")


def start_session(response: Response, token: str, secure: bool) -> None:
    _cookie(response, SESSION_COOKIE, token, SESSION_SECONDS, secure)


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def session_token(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE)


def _sign(secret: bytes, seed: str) -> str:
    return hmac.new(secret, seed.encode(), hashlib.sha256).hexdigest()


def csrf_token(request: Request, secret: bytes) -> tuple[str, str | None]:
    """The CSRF token for this page's forms, derived from the editor's session or the browser's CSRF cookie; and the
    new cookie's value when the browser has neither yet (give it with :func:`set_csrf_cookie`)."""
    seed = session_token(request) or request.cookies.get(CSRF_COOKIE)
    fresh = None
    if seed is None:
        seed = fresh = secrets.token_urlsafe(24)
    return _sign(secret, seed), fresh


def set_csrf_cookie(response: Response, seed: str | None, secure: bool) -> Response:
    if seed is not None:
        _cookie(response, CSRF_COOKIE, seed, None, secure)
    return response


def check_csrf(request: Request, sent: str | None, secret: bytes) -> None:
    """Raise BadCsrfToken unless ``sent`` is the token of this browser's session or CSRF cookie."""
    seeds = [s for s in (session_token(request), request.cookies.get(CSRF_COOKIE)) if s]
    expected = [_sign(secret, seed) for seed in seeds]
    if not sent or not any(hmac.compare_digest(sent, token) for token in expected):
        raise BadCsrfToken("this form's security token is missing or wrong: reload the page and send it again")
