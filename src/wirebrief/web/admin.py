"""The admin area: sign in, decide removal requests, block sources, read the audit log.

Sessions are a random cookie token (only its hash is stored) with SameSite=Strict, and
every form posts the session's CSRF token; sign-in attempts are rate-limited.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wirebrief.storage import admin as admin_store
from wirebrief.storage import audit, removals
from wirebrief.storage import sources as source_store
from wirebrief.storage.models import AdminSession, Article, RemovalRequest
from wirebrief.web.deps import db_session
from wirebrief.web.ratelimit import limiter
from wirebrief.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)
COOKIE = "wirebrief_admin"
LOGIN_ATTEMPTS, LOGIN_WINDOW_S = 5, 300
_NO_STORE = {"Cache-Control": "no-store"}


@dataclass(frozen=True)
class RequestRow:
    """A removal request with the stored article its URL names (if any)."""

    request: RemovalRequest
    article: Article | None


def _signed_in(request: Request, session: Session) -> AdminSession | None:
    return admin_store.find_session(session, request.cookies.get(COOKIE))


def _require(request: Request, session: Session, csrf: str) -> AdminSession:
    """The signed-in session of a form post whose CSRF token matches, else 403."""
    found = _signed_in(request, session)
    if found is None:
        raise HTTPException(403, "sign in at /admin/login first")
    if not hmac.compare_digest(found.csrf_token.encode(), csrf.encode()):
        raise HTTPException(403, "the form expired; reload the admin page and try again")
    return found


def _page(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(_NO_STORE)
    return response


def _back() -> RedirectResponse:
    return RedirectResponse("/admin", status_code=303, headers=_NO_STORE)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, session: Session = Depends(db_session)) -> HTMLResponse:
    """The sign-in form."""
    return _page(request, "admin_login.html", {"ready": admin_store.has_password(session)})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, password: str = Form(""), session: Session = Depends(db_session)
) -> Response:
    """Check the password; on success start a session and go to the admin page."""
    limiter(request, "login", LOGIN_ATTEMPTS, LOGIN_WINDOW_S).check(request, "sign-in attempts")
    client = request.client.host if request.client else "unknown"
    if not admin_store.check_password(session, password):
        audit.record(session, "public", "login_failed", "admin", f"from {client}")
        context = {"ready": admin_store.has_password(session), "error": "Wrong password."}
        return _page(request, "admin_login.html", context, status=401)
    token, _ = admin_store.start_session(session)
    audit.record(session, "admin", "login", "admin", f"from {client}")
    response = _back()
    response.set_cookie(
        COOKIE, token, max_age=int(admin_store.SESSION_LIFETIME.total_seconds()),
        httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/admin",
    )  # fmt: skip
    return response


@router.post("/logout")
def logout(
    request: Request, csrf: str = Form(""), session: Session = Depends(db_session)
) -> Response:
    """End the session."""
    _require(request, session, csrf)
    admin_store.end_session(session, request.cookies.get(COOKIE))
    audit.record(session, "admin", "logout", "admin")
    response = RedirectResponse("/admin/login", status_code=303, headers=_NO_STORE)
    response.delete_cookie(COOKIE, path="/admin")
    return response


@router.get("", response_class=HTMLResponse)
def dashboard(request: Request, session: Session = Depends(db_session)) -> Response:
    """Pending and decided removal requests, sources, and the audit log."""
    signed_in = _signed_in(request, session)
    if signed_in is None:
        return RedirectResponse("/admin/login", status_code=303, headers=_NO_STORE)
    host = request.url.netloc
    rows = [
        RequestRow(r, removals.find_article(session, r.url, host))
        for r in removals.list_requests(session)
    ]
    context = {
        "csrf": signed_in.csrf_token,
        "pending": [row for row in rows if row.request.status == "pending"],
        "decided": [row for row in rows if row.request.status != "pending"],
        "sources": source_store.list_sources(session),
        "audit": audit.latest(session),
    }
    return _page(request, "admin.html", context)


@router.post("/removals/{request_id}/{decision}")
def decide(
    request: Request,
    request_id: int,
    decision: str,
    csrf: str = Form(""),
    session: Session = Depends(db_session),
) -> Response:
    """Approve (hide and block) or reject a removal request."""
    _require(request, session, csrf)
    try:
        if decision == "approve":
            removals.approve(session, request_id, request.url.netloc)
        elif decision == "reject":
            removals.reject(session, request_id)
        else:
            raise HTTPException(404, f"there is no decision {decision!r}; approve or reject")
    except removals.RemovalStateError as exc:
        raise HTTPException(409, str(exc)) from exc
    return _back()


@router.post("/sources/{source_id}/{action}")
def block_source(
    request: Request,
    source_id: int,
    action: str,
    csrf: str = Form(""),
    session: Session = Depends(db_session),
) -> Response:
    """Block a source (stop polling, hide its articles) or unblock it."""
    _require(request, session, csrf)
    if action not in ("block", "unblock"):
        raise HTTPException(404, f"there is no action {action!r}; block or unblock")
    removals.set_source_blocked(session, source_id, action == "block")
    return _back()
