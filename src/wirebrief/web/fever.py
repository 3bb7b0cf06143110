"""The Fever API at ``/fever/`` (Reeder, ReadKit, Unread, FocusReader and others).

Apps send ``api_key`` = md5("name:API password"). Every item is a family: copies are folded
into their original, the item's HTML ends with where else it appeared, and its id is the
family's first stored article, so ``since_id`` paging never sees a family twice. Hot links
(``links``) are stories carried by several sources, hottest first.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import MultiDict

from wirebrief.accounts.items import build_items, item_html, source_names
from wirebrief.redaction import redact_url
from wirebrief.storage import families, reading
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users as user_store
from wirebrief.storage.models import Article, Source, Story, User
from wirebrief.storage.reading import Scope, View
from wirebrief.storage.types import MAX_ID
from wirebrief.times import utcnow
from wirebrief.web.deps import SESSION, query_and_form
from wirebrief.web.params import clamped, record_id
from wirebrief.web.signin_limits import SigninLimiter

router = APIRouter(include_in_schema=False)

API_VERSION = 3
PAGE = 50  # items per call, as Fever serves them
MOST_IDS = 100_000
MAX_DAYS = 36_500  # links: how far back a window may start or reach
MAX_PAGE = 10_000
LAST_UNIX_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z
FAVICON_ID = 1
ICON = Path(__file__).with_name("static") / "icon-32.png"
# A key names no account, so wrong keys count per address. The limit is loose enough for an
# app still syncing with a key from before a password change (a call every few minutes),
# and far too tight for guessing a generated API password. A right key clears nothing: an
# account of one's own must not buy more guesses at others.
KEY_GUESSES = SigninLimiter(failures=20, window_s=900)
KEY_ACCOUNT = "(fever api_key)"


def _base(session: Session, user: User | None) -> dict[str, Any]:
    if user is None:
        return {"api_version": API_VERSION, "auth": 0}
    refreshed = session.scalar(select(func.max(Source.last_success_at)))
    return {"api_version": API_VERSION, "auth": 1,
            "last_refreshed_on_time": int(refreshed.timestamp()) if refreshed else 0}  # fmt: skip


def _int(form: MultiDict, name: str, low: int = -MAX_ID, high: int = MAX_ID) -> int | None:
    """A whole number, held within ``[low, high]``; None when absent or not a number."""
    raw = (form.get(name) or "").strip()
    if not (0 < len(raw) <= 20 and raw.isascii() and raw.lstrip("-").isdigit()):
        return None
    return clamped(int(raw), low, high)


@router.api_route("/fever/", methods=["GET", "POST"])
@router.api_route("/fever", methods=["GET", "POST"])
def fever(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    session: Session = SESSION,
) -> JSONResponse:
    """Every Fever call: what the parameters ask for, added to the base answer."""
    api_key = form.get("api_key", "")
    client = request.client.host if request.client else None
    wait_s = KEY_GUESSES.refusal(session, client, KEY_ACCOUNT) if api_key else None
    if wait_s is not None:
        message = f"too many wrong API keys from your address; wait {wait_s} s and retry"
        return JSONResponse({**_base(session, None), "error": message}, 429,
                            headers={"Retry-After": str(wait_s)})  # fmt: skip
    user = user_store.user_for_fever_key(session, api_key)
    body = _base(session, user)
    if user is None:
        if api_key:
            KEY_GUESSES.failed(session, client, KEY_ACCOUNT)
        return JSONResponse(body)
    wrote = _write(session, user, form)
    if wrote is not None:  # the list a write changed comes back with its answer
        form = MultiDict([*form.multi_items(), (wrote, "")])
    for name, part in _READS.items():
        if name in form:
            body.update(part(session, user, form))
    return JSONResponse(body)


def _groups(session: Session, user: User, form: MultiDict) -> dict[str, Any]:
    folders = subs.list_folders(session, user)
    return {"groups": [{"id": f.id, "title": f.name} for f in folders],
            "feeds_groups": _feeds_groups(session, user)}  # fmt: skip


def _feeds_groups(session: Session, user: User) -> list[dict[str, Any]]:
    grouped: dict[int, list[str]] = {}
    for followed in subs.followed(session, user):
        if followed.folder is not None:
            grouped.setdefault(followed.folder.id, []).append(str(followed.source.id))
    return [{"group_id": group, "feed_ids": ",".join(ids)} for group, ids in grouped.items()]


def _feeds(session: Session, user: User, form: MultiDict) -> dict[str, Any]:
    feeds = [
        {"id": f.source.id, "favicon_id": FAVICON_ID, "title": f.title,
         "url": redact_url(f.source.url),  # a reader never sees the desk's credentials
         "site_url": redact_url(f.source.site_url or f.source.url), "is_spark": 0,
         "last_updated_on_time": int(f.source.last_success_at.timestamp())
         if f.source.last_success_at else 0}
        for f in subs.followed(session, user)
    ]  # fmt: skip
    return {"feeds": feeds, "feeds_groups": _feeds_groups(session, user)}


@cache
def _icon() -> str:
    return "image/png;base64," + base64.b64encode(ICON.read_bytes()).decode()


def _favicons(session: Session, user: User, form: MultiDict) -> dict[str, Any]:
    return {"favicons": [{"id": FAVICON_ID, "data": _icon()}]}


def _items(session: Session, user: User, form: MultiDict) -> dict[str, Any]:
    """50 items: below ``max_id`` (newest first), or those in ``with_ids``, or above
    ``since_id`` (oldest first), in that order of precedence; ``feed_ids`` and
    ``group_ids`` narrow them to some feeds."""
    max_id, with_ids = _int(form, "max_id"), form.get("with_ids")
    if with_ids is not None and not max_id:
        wanted = _id_list(with_ids)[:PAGE]
        found = reading.roots_of(session, wanted)
        roots = list(dict.fromkeys(found[i] for i in wanted if i in found))
    else:
        page = reading.items_by_first_id(
            session, user, after_id=_int(form, "since_id"), before_id=max_id or None,
            source_ids=_narrowed_to(session, user, form), limit=PAGE,
        )  # fmt: skip
        roots = [root for _, root in page]
    items = build_items(session, user, roots)
    names = source_names(session, items)
    return {
        "total_items": reading.count_items(session, user),
        "items": [
            {"id": i.item_id, "feed_id": i.source_id or 0, "title": i.article.title,
             "author": i.article.author or "", "html": item_html(i, names), "url": i.article.url,
             "is_saved": int(i.starred), "is_read": int(i.read),
             "created_on_time": int(i.published_at.timestamp())}
            for i in items
        ],
    }  # fmt: skip


def _id_list(raw: str) -> list[int]:
    return [found for part in raw.split(",") if (found := record_id(part)) is not None]


def _narrowed_to(session: Session, user: User, form: MultiDict) -> set[int] | None:
    """The feeds ``feed_ids`` and the groups ``group_ids`` name, or None for all."""
    if form.get("feed_ids") is None and form.get("group_ids") is None:
        return None
    feeds = set(_id_list(form.get("feed_ids") or ""))
    groups = set(_id_list(form.get("group_ids") or ""))
    return feeds | {f.source.id for f in subs.followed(session, user)
                    if f.folder is not None and f.folder.id in groups}  # fmt: skip


def _ids(session: Session, user: User, view: View) -> str:
    roots = [r.root_id for r in reading.item_roots(session, user, view, limit=MOST_IDS)]
    firsts = reading.first_members(session, roots)
    return ",".join(str(firsts[root]) for root in roots)


def _unread_item_ids(session: Session, user: User, form: MultiDict) -> dict[str, Any]:
    return {"unread_item_ids": _ids(session, user, View.UNREAD)}


def _saved_item_ids(session: Session, user: User, form: MultiDict) -> dict[str, Any]:
    return {"saved_item_ids": _ids(session, user, View.STARRED)}


def _links(session: Session, user: User, form: MultiDict) -> dict[str, Any]:
    """Hot links: stories carried by two or more sources in the window, hottest first."""
    offset_days = _int(form, "offset", 0, MAX_DAYS) or 0
    range_days = _int(form, "range", 0, MAX_DAYS) or 7
    page = _int(form, "page", 1, MAX_PAGE) or 1
    end = utcnow() - timedelta(days=offset_days)
    stories = session.scalars(
        select(Story)
        .where(Story.source_count >= 2, Story.last_seen_at >= end - timedelta(days=range_days),
               Story.last_seen_at <= end)
        .order_by(Story.source_count.desc(), Story.last_seen_at.desc())
        .limit(PAGE).offset((page - 1) * PAGE)
    ).all()  # fmt: skip
    links = []
    for story in stories:
        roots = session.scalars(
            select(Article.id).where(Article.story_id == story.id, families.is_origin(),
                                     Article.hidden.is_(False))
        ).all()  # fmt: skip
        firsts = reading.first_members(session, roots)
        representative = session.get(Article, story.representative_article_id)
        if representative is None:
            continue
        states = reading.states(session, user, roots)
        links.append({
            "id": story.id, "feed_id": representative.source_id or 0,
            "item_id": firsts.get(representative.id, representative.id),
            "temperature": float(story.source_count), "is_item": 1, "is_local": 1,
            "is_saved": int(any(s.starred for s in states.values())),
            "title": story.headline, "url": representative.url,
            "item_ids": ",".join(str(firsts[r]) for r in roots),
        })  # fmt: skip
    return {"links": links}


_READS = {
    "groups": _groups,
    "feeds": _feeds,
    "favicons": _favicons,
    "items": _items,
    "links": _links,
    "unread_item_ids": _unread_item_ids,
    "saved_item_ids": _saved_item_ids,
}


def _write(session: Session, user: User, form: MultiDict) -> str | None:
    """``mark=item|feed|group`` with ``as=read|unread|saved|unsaved``, ``id`` and, for feeds
    and groups, ``before`` (the app's last sync: later arrivals stay unread). Returns the
    list the write changed (``unread_item_ids`` or ``saved_item_ids``), if any."""
    mark, action, target = form.get("mark"), form.get("as"), _int(form, "id")
    if mark is None or target is None:
        return None
    if mark == "item":
        if action == "read":
            reading.mark_read(session, user, [target])
        elif action == "unread":
            reading.mark_unread(session, user, [target])
        elif action in ("saved", "unsaved"):
            reading.set_starred(session, user, [target], action == "saved")
            return "saved_item_ids"
        else:
            return None
        return "unread_item_ids"
    if action != "read" or mark not in ("feed", "group"):
        return None
    before = _int(form, "before", 0, LAST_UNIX_TIME)
    until = utcnow() if before is None else _from_unix(before)
    if mark == "feed":
        scope = Scope(source_id=target)
    elif target == 0:  # the "Kindling" super group: everything
        scope = Scope()
    elif target < 0:  # "Sparks": no source is a spark here
        return None
    else:
        scope = Scope(folder_id=target)
    reading.mark_all_read(session, user, scope, crawled_until=until)
    return "unread_item_ids"


def _from_unix(seconds: int) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return utcnow()
