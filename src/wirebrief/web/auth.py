"""Signing in and out of the reader, and who is signed in.

A session is a random cookie token (only its hash is stored) lasting 12 hours; every form
that changes something posts the session's CSRF token. Whether the public may read without
signing in is ``WIREBRIEF_PUBLIC_READER``; changing anything always needs an account.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import cast
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wirebrief.storage import audit
from wirebrief.storage import users as user_store
from wirebrief.storage.models import User
from wirebrief.web.deps import SESSION
from wirebrief.web.ratelimit import too_many
from wirebrief.web.signin_limits import SigninLimiter
from wirebrief.web.templating import templates

router = APIRouter(include_in_schema=False)
COOKIE = "wirebrief_session"
SIGNIN = SigninLimiter(failures=5, window_s=900)  # per (address, account): signin_limits.py
NO_STORE = {"Cache-Control": "no-store"}
_UNKNOWN = object()


@dataclass(frozen=True)
class Viewer:
    """The signed-in account of a request, with its session's CSRF token; ``name`` and
    ``is_admin`` are copied out, so an error page can still show them after the request's
    database session has ended."""

    user: User
    csrf: str
    name: str
    is_admin: bool

    @classmethod
    def of(cls, user: User, csrf: str) -> Viewer:
        """The viewer for a signed-in account."""
        return cls(user, csrf, user.name, user.role == user_store.Role.ADMIN)


class SignInRequired(Exception):
    """A page that needs an account was asked for without one: go and sign in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def viewer(request: Request, session: Session = SESSION) -> Viewer | None:
    """Who is signed in on this request (looked up once, kept on ``request.state`` for the
    page header), or ``None``."""
    known = getattr(request.state, "viewer", _UNKNOWN)
    if known is not _UNKNOWN:
        return cast(Viewer | None, known)
    found = user_store.find_session(session, request.cookies.get(COOKIE))
    request.state.viewer = None if found is None else Viewer.of(found[1], found[0].csrf_token)
    return request.state.viewer


def reader_access(request: Request, found: Viewer | None = Depends(viewer)) -> None:
    """Lets the public read unless ``WIREBRIEF_PUBLIC_READER`` is off; then reading needs
    an account (JSON 401 for the API, the sign-in page for the rest)."""
    if found is not None or request.app.state.settings.public_reader:
        return
    if request.url.path == "/healthz":  # load balancers and monitors have no account
        return
    if request.url.path.startswith("/api/"):
        raise HTTPException(401, "sign in first: this reader is not public")
    raise SignInRequired(_here(request))


def require_viewer(request: Request, found: Viewer | None = Depends(viewer)) -> Viewer:
    """The signed-in account; a page asked for without one sends the browser to sign in."""
    if found is None:
        raise SignInRequired(_here(request))
    return found


def require_csrf(viewer: Viewer | None, csrf: str) -> Viewer:
    """The signed-in account of a form post whose CSRF token matches, else 403."""
    if viewer is None:
        raise HTTPException(403, "sign in first: changing anything needs an account")
    if not hmac.compare_digest(viewer.csrf.encode(), csrf.encode()):
        raise HTTPException(403, "the form expired; reload the page and try again")
    return viewer


def sign_in_redirect(exc: SignInRequired) -> RedirectResponse:
    """Where :class:`SignInRequired` sends the browser."""
    return RedirectResponse(f"/signin?next={quote(exc.next_path)}", 303, headers=NO_STORE)


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def safe_next(path: str | None) -> str:
    """A local path to return to after signing in ("/" for anything else: no open
    redirect to another site)."""
    if not path or not path.startswith("/") or path.startswith(("//", "/\\")):
        return "/"
    return path


def _sign_in_page(request: Request, context: dict, status: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, "signin.html", context, status_code=status)
    response.headers.update(NO_STORE)
    return response


@router.get("/signin", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = Query("/", max_length=2000)) -> HTMLResponse:
    """The sign-in form."""
    return _sign_in_page(request, {"next": safe_next(next), "name": ""})


@router.post("/signin", response_class=HTMLResponse)
def sign_in(
    request: Request,
    name: str = Form("", max_length=200),
    password: str = Form("", max_length=1000),
    next: str = Form("/", max_length=2000),
    session: Session = SESSION,
) -> Response:
    """Check name and password; on success start a session and go where the user was."""
    client = request.client.host if request.client else None
    account = name.strip()[:200]
    wait_s = SIGNIN.refusal(session, client, account)
    if wait_s is not None:  # only this address's failures on this account count
        raise too_many("wrong passwords", wait_s)
    user = user_store.authenticate(session, account, password)
    if user is None:
        SIGNIN.failed(session, client, account)
        audit.record(session, "public", "login_failed", name.strip()[:64], f"from {client}")
        context = {"next": safe_next(next), "name": name, "error": "Wrong name or password."}
        return _sign_in_page(request, context, status=401)
    SIGNIN.succeeded(session, client, account)
    token, _ = user_store.start_session(session, user)
    audit.record(session, user.name, "login", user.name, f"from {client}")
    response = RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)
    response.set_cookie(
        COOKIE, token, max_age=int(user_store.SESSION_LIFETIME.total_seconds()), httponly=True,
        samesite="lax", secure=request.url.scheme == "https", path="/",
    )  # fmt: skip
    return response


@router.post("/signout")
def sign_out(
    request: Request,
    csrf: str = Form(""),
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> Response:
    """End the session."""
    signed = require_csrf(found, csrf)
    user_store.end_session(session, request.cookies.get(COOKIE))
    audit.record(session, signed.user.name, "logout", signed.user.name)
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    response.delete_cookie(COOKIE, path="/")
    return response


class PrivateWhenSignedIn:
    """A response to a signed-in browser is for it alone: ``Cache-Control: private`` (no
    shared cache may keep a page with an account's name and CSRF token)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or COOKIE.encode() not in Headers(scope=scope).get("cookie", "").encode()
        ):
            await self.app(scope, receive, send)
            return

        async def mark_private(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                rules = headers.get("cache-control")
                if rules is None:
                    headers["cache-control"] = "private, no-cache"
                elif "private" not in rules and "no-store" not in rules:
                    headers["cache-control"] = f"private, {rules}"
                headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, mark_private)
