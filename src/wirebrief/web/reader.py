"""The signed-in reader: an account's items (one per family) by view, folder and source,
marking read and starred, "mark all read", and the installable web app's manifest and
service worker.

Every change is a form POST with the session's CSRF token; the keyboard shortcuts and the
marking on open (``static/reader.js``) post the same forms.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from wirebrief.accounts.items import Item, build_items, source_names
from wirebrief.accounts.opml import export_subscriptions, import_subscriptions
from wirebrief.errors import FeedError
from wirebrief.feeds.opml import read_opml
from wirebrief.storage import reading
from wirebrief.storage import sources as source_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users as user_store
from wirebrief.storage.models import User
from wirebrief.storage.reading import Cursor, Scope, View
from wirebrief.web.auth import NO_STORE, Viewer, require_csrf, require_viewer, safe_next, viewer
from wirebrief.web.deps import SESSION
from wirebrief.web.params import ArticleId, FolderId, SourceId, id_field, id_filter
from wirebrief.web.staticfiles import static_url
from wirebrief.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30
STATIC = Path(__file__).with_name("static")
# "Mark all read" choices: everything, or what is older than a day or a week.
OLDER_THAN = {"all": None, "day": timedelta(days=1), "week": timedelta(days=7)}
ACTIONS = ("read", "unread", "star", "unstar")
MAX_OPML_BYTES = 2_000_000


def _cursor(raw: str | None) -> Cursor | None:
    try:
        return Cursor.decode(raw) if raw else None
    except ValueError as exc:
        raise HTTPException(400, "that page of the list does not exist; start again") from exc


@router.get("/reader", response_class=HTMLResponse)
def reader(
    request: Request,
    view: View = Query(View.UNREAD),
    folder: int | None = id_filter("Only this folder's sources."),
    source: int | None = id_filter("Only this source."),
    after: str | None = Query(None, max_length=60),
    signed: Viewer = Depends(require_viewer),
    session: Session = SESSION,
) -> HTMLResponse:
    """The account's items: unread (the default), all or starred, in a folder or a source,
    newest first, one per family."""
    user = signed.user
    scope = Scope(folder_id=folder, source_id=source)
    refs = reading.item_roots(session, user, view, scope, limit=PAGE_SIZE + 1,
                              after=_cursor(after))  # fmt: skip
    more = len(refs) > PAGE_SIZE
    refs = refs[:PAGE_SIZE]
    items = build_items(session, user, [r.root_id for r in refs])
    followed = subs.followed(session, user)
    counts = reading.unread_counts(session, user)
    stories = _story_news(session, user, items)
    next_after = Cursor.after(refs[-1]).encode() if more else None
    title = _title(view, folder, source, followed)
    response = templates.TemplateResponse(
        request,
        "reader.html",
        {
            "items": items, "names": source_names(session, items), "view": view,
            "scope": scope, "followed": followed, "folders": subs.list_folders(session, user),
            "counts": counts, "stories": stories, "next_after": next_after, "title": title,
            "csrf": signed.csrf, "here": _here(request),
        },
    )  # fmt: skip
    response.headers.update(NO_STORE)
    return response


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _title(
    view: View, folder: int | None, source: int | None, followed: list[subs.Followed]
) -> str:
    names = {View.UNREAD: "Unread", View.ALL: "All articles", View.STARRED: "Starred",
             View.READ: "Read"}  # fmt: skip
    for f in followed:
        if source is not None and f.source.id == source:
            return f"{names[view]} · {f.title}"
        if folder is not None and f.folder and f.folder.id == folder:
            return f"{names[view]} · {f.folder.name}"
    return names[view]


def _story_news(session: Session, user: User, items: list[Item]) -> set[int]:
    """The unread items that are new information in a story the account has read part of."""
    followed = reading.stories_partly_read(
        session, user, [i.article.story_id for i in items if i.article.story_id and not i.read]
    )
    return {i.root_id for i in items if not i.read and i.article.story_id in followed}


@router.post("/reader/items/{article_id}/{action}")
def mark(
    request: Request,
    article_id: ArticleId,
    action: str,
    csrf: str = Form(""),
    next: str = Form("/reader", max_length=2000),
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> Response:
    """Mark an item's family read or unread, star or unstar it."""
    user = require_csrf(found, csrf).user
    if action not in ACTIONS:
        raise HTTPException(404, f"there is no action {action!r}; use one of {', '.join(ACTIONS)}")
    if action == "read":
        reading.mark_read(session, user, [article_id])
    elif action == "unread":
        reading.mark_unread(session, user, [article_id])
    else:
        reading.set_starred(session, user, [article_id], action == "star")
    return _done(request, next)


@router.post("/reader/mark-all-read")
def mark_all_read(
    request: Request,
    csrf: str = Form(""),
    folder: int | None = id_field("Only this folder's sources."),
    source: int | None = id_field("Only this source."),
    story: int | None = id_field("Only this story."),
    older_than: str = Form("all"),
    next: str = Form("/reader", max_length=2000),
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> Response:
    """Mark read everything in a folder, a source, a story or all, optionally only what
    is older than a day or a week; what arrives later stays unread."""
    user = require_csrf(found, csrf).user
    if older_than not in OLDER_THAN:
        raise HTTPException(400, f"older_than must be one of {', '.join(OLDER_THAN)}")
    age = OLDER_THAN[older_than]
    until = None if age is None else datetime.now(UTC) - age
    marked = reading.mark_all_read(session, user, Scope(folder_id=folder, source_id=source),
                                   until=until, story_id=story)  # fmt: skip
    return _done(request, next, {"marked": marked})


def _done(request: Request, next: str, extra: dict | None = None) -> Response:
    """JSON for the page's script, a redirect back for a plain form."""
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"ok": True, **(extra or {})}, headers=NO_STORE)
    return RedirectResponse(safe_next(next), status_code=303, headers=NO_STORE)


# ── subscriptions, folders, OPML and the API password ──


@router.get("/reader/subscriptions", response_class=HTMLResponse)
def subscriptions_page(
    request: Request,
    signed: Viewer = Depends(require_viewer),
    session: Session = SESSION,
) -> HTMLResponse:
    """What the account follows, in which folder; folders; OPML; apps."""
    return _subscriptions(request, session, signed, {})


def _subscriptions(
    request: Request, session: Session, signed: Viewer, extra: dict, status: int = 200
) -> HTMLResponse:
    followed = subs.followed(session, signed.user)
    mine = {f.source.id for f in followed}
    context = {
        "followed": followed, "folders": subs.list_folders(session, signed.user),
        "others": [s for s in source_store.list_sources(session) if s.id not in mine],
        "csrf": signed.csrf, **extra,
    }  # fmt: skip
    response = templates.TemplateResponse(
        request, "subscriptions.html", context, status_code=status
    )
    response.headers.update(NO_STORE)
    return response


def _back_to_subscriptions() -> RedirectResponse:
    return RedirectResponse("/reader/subscriptions", status_code=303, headers=NO_STORE)


@router.post("/reader/subscriptions/{source_id}")
def edit_subscription(
    source_id: SourceId,
    csrf: str = Form(""),
    action: str = Form("save"),
    title: str = Form("", max_length=300),
    folder: str = Form("", max_length=200),
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> Response:
    """Follow a source, save its title and folder, or stop following it."""
    user = require_csrf(found, csrf).user
    source = source_store.get_source(session, source_id)
    if action == "unfollow":
        subs.unsubscribe(session, user, source.id)
    elif action in ("save", "follow"):
        try:
            subs.subscribe(session, user, source, folder=folder, title=title)
        except subs.FolderError as exc:
            raise HTTPException(400, str(exc)) from exc
    else:
        raise HTTPException(404, f"there is no action {action!r}; save, follow or unfollow")
    return _back_to_subscriptions()


@router.post("/reader/folders/{folder_id}")
def edit_folder(
    folder_id: FolderId,
    csrf: str = Form(""),
    action: str = Form("rename"),
    name: str = Form("", max_length=200),
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> Response:
    """Rename a folder (onto another: merged) or delete it (its sources stay followed)."""
    user = require_csrf(found, csrf).user
    folder = next((f for f in subs.list_folders(session, user) if f.id == folder_id), None)
    if folder is None:
        raise HTTPException(404, f"there is no folder {folder_id}")
    try:
        if action == "delete":
            subs.delete_folder(session, user, folder.name)
        else:
            subs.rename_folder(session, user, folder.name, name)
    except subs.FolderError as exc:
        raise HTTPException(400, str(exc)) from exc
    return _back_to_subscriptions()


@router.get("/reader/subscriptions.opml")
def export_opml(signed: Viewer = Depends(require_viewer), session: Session = SESSION) -> Response:
    """The account's subscriptions as OPML 2.0, its folders as categories; feed URLs carry
    their credentials for admins only (the desk's own backup)."""
    document, _ = export_subscriptions(session, signed.user.name, redact=not signed.is_admin)
    disposition = 'attachment; filename="wirebrief-subscriptions.opml"'
    return Response(document, media_type="text/x-opml",
                    headers={**NO_STORE, "Content-Disposition": disposition})  # fmt: skip


@router.post("/reader/subscriptions.opml", response_class=HTMLResponse)
async def import_opml(
    request: Request,
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> HTMLResponse:
    """Follow the feeds of an uploaded OPML file in its categories' folders (a reader's
    import leaves out feeds the desk does not follow yet)."""
    form = await request.form(max_files=1, max_fields=10)
    signed = require_csrf(found, str(form.get("csrf", "")))
    upload = form.get("opml")
    data = await upload.read(MAX_OPML_BYTES + 1) if isinstance(upload, UploadFile) else b""
    if not data or len(data) > MAX_OPML_BYTES:
        message = f"Choose an OPML file of at most {MAX_OPML_BYTES // 1_000_000} MB."
        return _subscriptions(request, session, signed, {"error": message}, status=400)
    try:
        listed = read_opml(data)
    except FeedError as exc:
        return _subscriptions(request, session, signed, {"error": str(exc)}, status=400)
    report = import_subscriptions(session, listed, signed.user.name,
                                  may_add_sources=signed.is_admin)  # fmt: skip
    done = f"Followed {report.known + report.added} feeds in {report.folders} folders."
    if report.skipped:
        done += f" {report.skipped} feeds the desk does not follow were left out: ask an admin."
    return _subscriptions(request, session, signed, {"notice": done})


@router.post("/reader/api-password", response_class=HTMLResponse)
def make_api_password(
    request: Request,
    csrf: str = Form(""),
    found: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> HTMLResponse:
    """A new API password for the account's apps, shown once (the old one stops working)."""
    signed = require_csrf(found, csrf)
    generated = user_store.new_api_password(session, signed.user, actor=signed.name)
    return _subscriptions(request, session, signed, {"api_password": generated})


# ── the installable web app ──


@router.get("/manifest.webmanifest")
def manifest() -> JSONResponse:
    """The web app manifest: installable, opening on the unread list."""
    icons = [
        {"src": static_url(f"icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
         "purpose": "any maskable"}
        for size in (192, 512)
    ] + [{"src": static_url("icon.svg"), "sizes": "any", "type": "image/svg+xml"}]  # fmt: skip
    body = {
        "name": "Wirebrief", "short_name": "Wirebrief", "id": "/reader", "start_url": "/reader",
        "scope": "/", "display": "standalone", "background_color": "#fbfaf7",
        "theme_color": "#0b5cad", "description": "Your news, each story once.", "icons": icons,
    }  # fmt: skip
    return JSONResponse(body, media_type="application/manifest+json")


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so it may control every page; the shell's
    fingerprinted file names are written into it, so a new release installs afresh."""
    shell = [
        static_url(name) for name in ("wirebrief.css", "reader.js", "share.js", "icon-192.png")
    ]
    script = (STATIC / "sw.js").read_text().replace("__SHELL__", ",".join(f'"{u}"' for u in shell))
    headers = {"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"}
    return Response(script, media_type="text/javascript", headers=headers)


@router.get("/offline", response_class=HTMLResponse)
def offline(request: Request) -> HTMLResponse:
    """What the service worker shows for a page it has not kept, when offline."""
    return templates.TemplateResponse(request, "offline.html", {})
