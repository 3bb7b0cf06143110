"""The admin area: decide removal requests, block sources, read the audit log.

It needs an account with the admin role (signing in: ``web/auth.py``); every form posts the
session's CSRF token.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from wirebrief import moderation
from wirebrief.errors import RemovalStateError
from wirebrief.storage import audit, removals
from wirebrief.storage import sources as source_store
from wirebrief.storage.models import Article, RemovalRequest
from wirebrief.web.auth import NO_STORE, Viewer, require_csrf, require_viewer, viewer
from wirebrief.web.deps import SESSION, public_base_url
from wirebrief.web.params import RequestId, SourceId
from wirebrief.web.templating import templates

router = APIRouter(prefix="/admin", include_in_schema=False)


@dataclass(frozen=True)
class RequestRow:
    """A removal request with the stored article its URL names (if any)."""

    request: RemovalRequest
    article: Article | None


def _admin(found: Viewer) -> Viewer:
    if not found.is_admin:
        raise HTTPException(403, f"{found.name} is not an admin; sign in as an admin")
    return found


def _require(found: Viewer | None, csrf: str) -> Viewer:
    """The signed-in admin of a form post whose CSRF token matches, else 403."""
    return _admin(require_csrf(found, csrf))


def _page(request: Request, name: str, context: dict, status: int = 200) -> HTMLResponse:
    response = templates.TemplateResponse(request, name, context, status_code=status)
    response.headers.update(NO_STORE)
    return response


def _back() -> RedirectResponse:
    return RedirectResponse("/admin", status_code=303, headers=NO_STORE)


@router.get("/login")
def login_form() -> RedirectResponse:
    """The old admin sign-in address: signing in is for every account now."""
    return RedirectResponse("/signin?next=/admin", status_code=303, headers=NO_STORE)


@router.get("", response_class=HTMLResponse)
def dashboard(
    request: Request,
    found: Viewer = Depends(require_viewer),
    session: Session = SESSION,
) -> Response:
    """Pending and decided removal requests, sources, and the audit log."""
    signed_in = _admin(found)
    host = urlsplit(public_base_url(request)).netloc
    rows = [
        RequestRow(r, removals.find_article(session, r.url, host))
        for r in removals.list_requests(session)
    ]
    context = {
        "csrf": signed_in.csrf,
        "pending": [row for row in rows if row.request.status == "pending"],
        "decided": [row for row in rows if row.request.status != "pending"],
        "sources": source_store.list_sources(session),
        "audit": audit.latest(session),
    }
    return _page(request, "admin.html", context)


@router.post("/removals/{request_id}/{decision}")
def decide(
    request: Request,
    request_id: RequestId,
    decision: str,
    csrf: str = Form(""),
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> Response:
    """Approve (hide and block) or reject a removal request."""
    actor = _require(found, csrf).name
    try:
        if decision == "approve":
            moderation.approve_removal(
                session, request_id, urlsplit(public_base_url(request)).netloc, actor=actor
            )
        elif decision == "reject":
            removals.reject(session, request_id, actor=actor)
        else:
            raise HTTPException(404, f"there is no decision {decision!r}; approve or reject")
    except RemovalStateError as exc:
        raise HTTPException(409, str(exc)) from exc
    return _back()


@router.post("/sources/{source_id}/{action}")
def block_source(
    request: Request,
    source_id: SourceId,
    action: str,
    csrf: str = Form(""),
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> Response:
    """Block a source (stop polling, hide its articles) or unblock it."""
    actor = _require(found, csrf).name
    if action not in ("block", "unblock"):
        raise HTTPException(404, f"there is no action {action!r}; block or unblock")
    moderation.block_source(session, source_id, action == "block", actor=actor)
    return _back()
