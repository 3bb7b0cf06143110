"""The Google Reader API, as FreshRSS, Miniflux and CommaFeed speak it, for NetNewsWire,
Reeder, Read You, Fluent Reader, FeedMe, FocusReader and the rest.

Apps sign in at ``/accounts/ClientLogin`` with the account's name and API password and send
``Authorization: GoogleLogin auth=TOKEN`` from then on. Every item is a family: copies are
folded into their original, and the item says where else it appeared (``alsoIn`` and a line
at the end of its content).

Item ids are 2^56 + the family's first stored article id, so each form apps send back reads
unambiguously: the long form (``tag:google.com,2005:reader/item/`` + 16 hex digits), 16 hex
digits, fewer hex digits (NetNewsWire), or the decimal short form (17 digits).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import MultiDict

from wirebrief.accounts.items import Item, build_items, elsewhere_json, item_html, source_names
from wirebrief.errors import FolderError, NotFoundError
from wirebrief.redaction import redact_url
from wirebrief.storage import reading
from wirebrief.storage import sources as source_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users as user_store
from wirebrief.storage.models import Folder, Source, User
from wirebrief.storage.reading import Cursor, Filter, Scope
from wirebrief.times import utcnow
from wirebrief.web.auth import SIGNIN
from wirebrief.web.deps import SESSION, query_and_form
from wirebrief.web.params import record_id
from wirebrief.web.ratelimit import too_many

router = APIRouter(include_in_schema=False)

ITEM_ID_OFFSET = 1 << 56
LONG_ID_PREFIX = "tag:google.com,2005:reader/item/"
STATE = "user/-/state/com.google/"
READING_LIST, READ, STARRED = STATE + "reading-list", STATE + "read", STATE + "starred"
KEPT_UNREAD, UNREAD = STATE + "kept-unread", STATE + "unread"
MAX_IDS, MAX_CONTENTS, DEFAULT_COUNT = 10_000, 1_000, 20
_LABEL = re.compile(r"^user/[^/]*/label/(?P<name>.+)$")
_STATE = re.compile(r"^user/[^/]*/state/com\.google/(?P<name>[\w-]+)$")
# Tokens apps send that FreshRSS accepts without checking: none or empty (FeedMe), "x"
# (Reeder). The API is authenticated by a header, not a cookie, so the action token is
# no defence against forged requests here; it is checked when an app sends a real one.
_UNCHECKED_TOKENS = ("", "x")


class ApiError(HTTPException):
    """A Reader API error: plain text, as the apps expect."""


def api_error(request: Request, exc: ApiError) -> PlainTextResponse:
    """The app's exception handler for :class:`ApiError`."""
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code, headers=exc.headers)


# ── request parsing ──


def app_user(request: Request, session: Session = SESSION) -> User:
    """The account whose token the ``Authorization: GoogleLogin auth=…`` header carries."""
    user = user_store.user_for_api_token(session, _auth_token(request))
    if user is None:
        raise ApiError(401, "Unauthorized", headers={"Google-Bad-Token": "true"})
    return user


def _auth_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "googlelogin" and value.strip().lower().startswith("auth="):
        return value.strip()[5:]
    if scheme.lower() == "bearer":
        return value.strip()
    return None


def action_token(auth_token: str) -> str:
    """The action token ``T`` for an auth token: derived from it, so it needs no storage
    and ends when the auth token does (57 characters, as Google's were)."""
    return hashlib.sha256(f"wirebrief-action:{auth_token}".encode()).hexdigest()[:57]


def check_action_token(request: Request, form: MultiDict) -> None:
    """401 when the app sent an action token that is not its own."""
    sent = (form.get("T") or "").strip()
    if sent in _UNCHECKED_TOKENS:
        return
    expected = action_token(_auth_token(request) or "")
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise ApiError(401, "Unauthorized: bad action token", headers={"Google-Bad-Token": "true"})


def long_id(item_id: int) -> str:
    """An item id in the long form."""
    return f"{LONG_ID_PREFIX}{ITEM_ID_OFFSET + item_id:016x}"


def short_id(item_id: int) -> str:
    """An item id in the short (decimal) form."""
    return str(ITEM_ID_OFFSET + item_id)


def parse_item_id(text: str) -> int | None:
    """The article id an app's item id names, in any of its forms, or None."""
    text = text.strip()
    try:
        if text.startswith(LONG_ID_PREFIX):
            value = int(text[len(LONG_ID_PREFIX) :], 16)
        elif len(text) >= 17 and text.lstrip("-").isdigit():
            value = int(text) % (1 << 64)  # a signed 64-bit decimal, as Fluent Reader sends
        else:
            value = int(text, 16)
    except ValueError:
        return None
    article_id = value - ITEM_ID_OFFSET
    return article_id if 0 < article_id < ITEM_ID_OFFSET else None


def _item_ids(form: MultiDict) -> list[int]:
    ids = [parse_item_id(raw) for raw in form.getlist("i")]
    return [i for i in ids if i is not None]


def _count(form: MultiDict, most: int) -> int:
    try:
        return max(1, min(most, int(form.get("n") or DEFAULT_COUNT)))
    except ValueError as exc:
        raise ApiError(400, "Bad Request: n must be a whole number") from exc


def _time(form: MultiDict, name: str) -> datetime | None:
    """A Unix time in seconds (decimals allowed, as NetNewsWire sends), or None."""
    raw = form.get(name)
    if not raw:
        return None
    try:
        return datetime.fromtimestamp(float(raw), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ApiError(400, f"Bad Request: {name} must be a Unix time in seconds") from exc


def _older_than(raw: str | None) -> datetime | None:
    """mark-all-as-read's ``ts``: seconds, milliseconds, microseconds or nanoseconds, told
    apart by size (apps differ)."""
    if not raw:
        return None
    try:
        value = float(raw)
        for scale in (1e9, 1e6, 1e3):
            if value > scale * 1e8:  # later than 1973 in that unit
                return datetime.fromtimestamp(value / scale, UTC)
        return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise ApiError(400, "Bad Request: ts must be a Unix time") from exc


def _cursor(raw: str | None) -> Cursor | None:
    try:
        return Cursor.decode(raw) if raw else None
    except ValueError as exc:
        raise ApiError(400, "Bad Request: c is not a continuation this server gave") from exc


def _stream(session: Session, user: User, stream_id: str) -> tuple[Scope, Filter]:
    """What a stream id covers."""
    stream_id = stream_id.strip() or READING_LIST
    state = _STATE.match(stream_id)
    if state:
        wanted = {"reading-list": Filter(), "read": Filter(read=True), "unread": Filter(read=False),
                  "kept-unread": Filter(read=False), "starred": Filter(starred=True)}  # fmt: skip
        if state["name"] not in wanted:
            raise ApiError(400, f"Bad Request: there is no stream {stream_id}")
        return Scope(), wanted[state["name"]]
    label = _LABEL.match(stream_id)
    if label:
        return _label_scope(session, user, label["name"]), Filter()
    if stream_id.startswith("feed/"):
        return Scope(source_id=_source_id(session, stream_id[5:])), Filter()
    raise ApiError(400, f"Bad Request: there is no stream {stream_id}")


def _label_scope(session: Session, user: User, name: str) -> Scope:
    """A folder of that name, else the families with that label."""
    try:
        return Scope(folder_id=subs.folder_named(session, user, name, create=False).id)
    except (NotFoundError, FolderError):
        return Scope(label=name)


def _source_id(session: Session, ref: str) -> int:
    """A source by id (``feed/3``) or by its URL (``feed/https://…``); -1 for none."""
    if ref.isascii() and ref.isdigit():
        return record_id(ref) or -1
    found = source_store.find_source_by_url(session, ref)
    return found.id if found else -1


def _filters(form: MultiDict, base: Filter) -> Filter:
    """A stream's own filter narrowed by ``xt`` (exclude) and ``it`` (include)."""
    read, starred = base.read, base.starred
    for excluded in form.getlist("xt"):
        if excluded == READ:
            read = False
        elif excluded in (UNREAD, KEPT_UNREAD):
            read = True
        elif excluded == STARRED:
            starred = False
    for included in form.getlist("it"):
        if included == READ:
            read = True
        elif included in (UNREAD, KEPT_UNREAD):
            read = False
        elif included == STARRED:
            starred = True
    return Filter(read=read, starred=starred)


def _refs(
    session: Session, user: User, form: MultiDict, stream_id: str, most: int
) -> tuple[list[reading.ItemRef], str | None]:
    """The page of a stream that ``n``, ``r``, ``ot``, ``nt``, ``xt``, ``it`` and ``c`` ask
    for, and the continuation to the next page (None at the end)."""
    scope, base = _stream(session, user, stream_id)
    count = _count(form, most)
    refs = reading.item_roots(
        session, user, _filters(form, base), scope, limit=count + 1,
        after=_cursor(form.get("c")), oldest_first=form.get("r") == "o",
        crawled_since=_time(form, "ot"), crawled_until=_time(form, "nt"),
    )  # fmt: skip
    if len(refs) > count:
        refs = refs[:count]
        return refs, Cursor.after(refs[-1]).encode()
    return refs, None


def _ok() -> PlainTextResponse:
    return PlainTextResponse("OK")


# ── signing in ──


@router.api_route("/accounts/ClientLogin", methods=["GET", "POST"])
def client_login(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    session: Session = SESSION,
) -> Response:
    """Sign an app in with the account's name (``Email``) and API password (``Passwd``)."""
    client = request.client.host if request.client else None
    account = form.get("Email", "")[:200]
    wait_s = SIGNIN.refusal(session, client, account)
    if wait_s is not None:  # only this address's failures on this account count
        raise too_many("wrong passwords", wait_s)
    user = user_store.authenticate_app(session, account, form.get("Passwd", ""))
    if user is None:
        SIGNIN.failed(session, client, account)
        return PlainTextResponse("Error=BadAuthentication\n", status_code=401)
    SIGNIN.succeeded(session, client, account)
    token = user_store.issue_api_token(session, user, form.get("client", ""))
    if form.get("output") == "json":
        return JSONResponse({"SID": token, "LSID": token, "Auth": token})
    return PlainTextResponse(f"SID={token}\nLSID={token}\nAuth={token}\n")


@router.get("/reader/api/0/token")
def token(request: Request, user: User = Depends(app_user)) -> PlainTextResponse:
    """The action token that POSTs carry as ``T``."""
    return PlainTextResponse(action_token(_auth_token(request) or ""))


@router.get("/reader/api/0/user-info")
def user_info(user: User = Depends(app_user)) -> dict[str, Any]:
    """Who is signed in."""
    return {"userId": str(user.id), "userName": user.name, "userProfileId": str(user.id),
            "userEmail": "", "isBloggerUser": False, "isMultiLoginEnabled": False,
            "signupTimeSec": int(user.created_at.timestamp())}  # fmt: skip


# ── subscriptions and tags ──


@router.get("/reader/api/0/subscription/list")
def subscription_list(user: User = Depends(app_user), session: Session = SESSION) -> dict[str, Any]:
    """Every subscription with its folder."""
    return {"subscriptions": [
        {"id": f"feed/{f.source.id}", "title": f.title,
         "categories": [{"id": f"user/-/label/{f.folder.name}", "label": f.folder.name}]
         if f.folder else [],
         # a reader never sees the desk's credentials
         "url": redact_url(f.source.url),
         "htmlUrl": redact_url(f.source.site_url or f.source.url), "iconUrl": "",
         "sortid": f"{f.source.id:08X}", "firstitemmsec": "0"}
        for f in subs.followed(session, user)
    ]}  # fmt: skip


@router.post("/reader/api/0/subscription/edit")
def subscription_edit(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> PlainTextResponse:
    """Subscribe, unsubscribe or edit (title, folder) one or more streams ``s``."""
    check_action_token(request, form)
    action = form.get("ac", "edit")
    if action not in ("subscribe", "unsubscribe", "edit"):
        raise ApiError(400, "Bad Request: ac must be subscribe, unsubscribe or edit")
    streams, titles = form.getlist("s"), form.getlist("t")
    if not streams:
        raise ApiError(400, "Bad Request: s names no stream")
    added = _label_name(form.get("a"))
    removed = _label_name(form.get("r"))
    for n, stream in enumerate(streams):
        if not stream.startswith("feed/"):
            raise ApiError(400, f"Bad Request: {stream} is not a feed")
        title = titles[n] if n < len(titles) else None
        if action == "subscribe":
            source = _subscribable(session, user, stream[5:], title)
        else:
            followed = session.get(Source, _source_id(session, stream[5:]))
            if followed is None or subs.find_subscription(session, user, followed.id) is None:
                raise ApiError(400, f"Bad Request: you do not follow {stream}")
            source = followed
            if action == "unsubscribe":
                subs.unsubscribe(session, user, source.id)
                continue
        folder = added if added else ("" if removed and _in_folder(session, user, source, removed)
                                      else None)  # fmt: skip
        subs.subscribe(session, user, source, folder=folder, title=title or None)
    return _ok()


def _label_name(stream: str | None) -> str | None:
    match = _LABEL.match(stream or "")
    return match["name"] if match else None


def _in_folder(session: Session, user: User, source: Source, folder: str) -> bool:
    found = subs.find_subscription(session, user, source.id)
    if found is None or found.folder_id is None:
        return False
    return session.get_one(Folder, found.folder_id).name == folder


def _subscribable(session: Session, user: User, ref: str, title: str | None) -> Source:
    """The source an app subscribes to: a known one by id or URL; a new URL only for an
    admin (the desk fetches it from then on)."""
    source_id = _source_id(session, ref)
    if source_id > 0:
        source = session.get(Source, source_id)
        if source is not None:
            return source
    parts = urlsplit(ref)
    if ref.isdigit() or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(400, f"Bad Request: {ref!r} is not a feed this desk knows, nor a URL")
    if user.role != user_store.Role.ADMIN:
        raise ApiError(403, f"Forbidden: this desk does not follow {ref}; ask an admin to add it")
    return source_store.add_source(session, ref, title or parts.hostname)


@router.api_route("/reader/api/0/subscription/quickadd", methods=["GET", "POST"])
def quickadd(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> JSONResponse:
    """Subscribe to a feed URL."""
    if request.method == "POST":
        check_action_token(request, form)
    url = (form.get("quickadd") or "").removeprefix("feed/")
    try:
        source = _subscribable(session, user, url, None)
    except ApiError as exc:
        return JSONResponse({"numResults": 0, "query": url, "error": exc.detail})
    subs.subscribe(session, user, source)
    return JSONResponse({"numResults": 1, "query": url, "streamId": f"feed/{source.id}",
                         "streamName": source.name})  # fmt: skip


@router.get("/reader/api/0/tag/list")
def tag_list(user: User = Depends(app_user), session: Session = SESSION) -> dict[str, Any]:
    """The starred state, the account's folders and its labels."""
    tags: list[dict[str, Any]] = [{"id": STARRED, "sortid": "00000000"}]
    tags += [{"id": f"user/-/label/{f.name}", "type": "folder", "sortid": f"{f.id:08X}"}
             for f in subs.list_folders(session, user)]  # fmt: skip
    tags += [
        {"id": f"user/-/label/{name}", "type": "tag"} for name in reading.labels(session, user)
    ]
    return {"tags": tags}


@router.post("/reader/api/0/rename-tag")
def rename_tag(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> PlainTextResponse:
    """Rename a folder (or a label)."""
    check_action_token(request, form)
    old, new = _label_name(form.get("s")), _label_name(form.get("dest"))
    if not old or not new:
        raise ApiError(400, "Bad Request: s and dest must be user/-/label/NAME")
    try:
        subs.rename_folder(session, user, old, new)
    except NotFoundError:
        if not reading.rename_label(session, user, old, new):
            raise ApiError(400, f"Bad Request: there is no folder or label {old!r}") from None
    except FolderError as exc:
        raise ApiError(400, f"Bad Request: {exc}") from exc
    return _ok()


@router.post("/reader/api/0/disable-tag")
def disable_tag(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> PlainTextResponse:
    """Remove folders (their subscriptions stay, outside any folder) or labels."""
    check_action_token(request, form)
    for stream in form.getlist("s"):
        name = _label_name(stream)
        if name is None:
            raise ApiError(400, f"Bad Request: {stream} is not user/-/label/NAME")
        try:
            subs.delete_folder(session, user, name)
        except NotFoundError:
            reading.delete_label(session, user, name)
    return _ok()


# ── items ──


@router.get("/reader/api/0/unread-count")
def unread_count(user: User = Depends(app_user), session: Session = SESSION) -> dict[str, Any]:
    """Unread families per feed, per folder and in all, with the newest one's time."""
    counts = reading.unread_counts(session, user)
    followed = subs.followed(session, user)
    newest = counts.newest_by_source
    rows = []
    for f in followed:
        rows.append({"id": f"feed/{f.source.id}", "count": counts.by_source.get(f.source.id, 0),
                     "newestItemTimestampUsec": _usec(newest.get(f.source.id))})  # fmt: skip
    for folder in subs.list_folders(session, user):
        times = [newest[f.source.id] for f in followed
                 if f.folder and f.folder.id == folder.id and f.source.id in newest]  # fmt: skip
        rows.append({"id": f"user/-/label/{folder.name}",
                     "count": counts.by_folder.get(folder.id, 0),
                     "newestItemTimestampUsec": _usec(max(times, default=None))})  # fmt: skip
    rows.append({"id": READING_LIST, "count": counts.total,
                 "newestItemTimestampUsec": _usec(max(newest.values(), default=None))})  # fmt: skip
    return {"max": counts.total, "unreadcounts": rows}


def _usec(when: datetime | None) -> str:
    return str(int(when.timestamp() * 1e6)) if when else "0"


@router.get("/reader/api/0/stream/items/ids")
def stream_item_ids(
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> dict[str, Any]:
    """The ids of a stream's items (``s``), newest first, up to ``n`` (10,000)."""
    refs, more = _refs(session, user, form, form.get("s", READING_LIST), MAX_IDS)
    firsts = reading.first_members(session, [r.root_id for r in refs])
    body: dict[str, Any] = {
        "itemRefs": [{"id": short_id(firsts[r.root_id]),
                      "timestampUsec": str(int(r.time.timestamp() * 1e6))} for r in refs]
    }  # fmt: skip
    if more:
        body["continuation"] = more
    return body


@router.api_route("/reader/api/0/stream/contents", methods=["GET", "POST"])
@router.api_route("/reader/api/0/stream/contents/{stream_id:path}", methods=["GET", "POST"])
def stream_contents(
    request: Request,
    stream_id: str = "",
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> dict[str, Any]:
    """A stream's items with their content, newest first, up to ``n`` (1,000)."""
    stream = stream_id or form.get("s", READING_LIST)
    refs, more = _refs(session, user, form, stream, MAX_CONTENTS)
    body = _contents(session, user, [r.root_id for r in refs], stream)
    if more:
        body["continuation"] = more
    return body


@router.api_route("/reader/api/0/stream/items/contents", methods=["GET", "POST"])
def stream_items_contents(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> dict[str, Any]:
    """The items named by ``i`` (any id form), with their content."""
    wanted = _item_ids(form)[:MAX_CONTENTS]
    found = reading.roots_of(session, wanted)
    roots = list(dict.fromkeys(found[i] for i in wanted if i in found))
    return _contents(session, user, roots, READING_LIST)


def _contents(session: Session, user: User, roots: list[int], stream: str) -> dict[str, Any]:
    items = build_items(session, user, roots)
    names = source_names(session, items)
    folders = {f.source.id: f.folder.name for f in subs.followed(session, user) if f.folder}
    return {"direction": "ltr", "id": stream, "title": "Wirebrief",
            "updated": int(utcnow().timestamp()),
            "items": [_item_json(item, names, folders) for item in items]}  # fmt: skip


def _item_json(item: Item, names: dict[int, str], folders: dict[int, str]) -> dict[str, Any]:
    article = item.article
    categories = [READING_LIST]
    if item.source_id in folders:
        categories.append(f"user/-/label/{folders[item.source_id]}")
    if item.read:
        categories.append(READ)
    if item.starred:
        categories.append(STARRED)
    categories += [f"user/-/label/{label}" for label in sorted(item.labels)]
    crawled = int(item.crawled_at.timestamp() * 1e6)
    source = article.source
    content = item_html(item, names)
    body: dict[str, Any] = {
        "id": long_id(item.item_id),
        "crawlTimeMsec": str(crawled // 1000),
        "timestampUsec": str(crawled),
        "published": int(item.published_at.timestamp()),
        "updated": int((article.modified_at or item.published_at).timestamp()),
        "title": article.title,
        "summary": {"direction": "ltr", "content": content},
        "canonical": [{"href": article.url}],
        "alternate": [{"href": article.url, "type": "text/html"}],
        "categories": categories,
        "origin": {"streamId": f"feed/{item.source_id}" if item.source_id else "feed/0",
                   "title": names.get(item.source_id or 0) or (source.name if source else
                                                               article.site_name or ""),
                   "htmlUrl": redact_url((source.site_url if source else None) or article.url)},
        "alsoIn": elsewhere_json(item, names),
    }  # fmt: skip
    if article.author:
        body["author"] = article.author
    return body


@router.post("/reader/api/0/edit-tag")
def edit_tag(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> PlainTextResponse:
    """Add (``a``) or remove (``r``) read, starred or a label on the items ``i``; each
    applies to the item's whole family."""
    check_action_token(request, form)
    ids = _item_ids(form)
    for tag in form.getlist("a"):
        _tag(session, user, ids, tag, on=True)
    for tag in form.getlist("r"):
        _tag(session, user, ids, tag, on=False)
    return _ok()


def _tag(session: Session, user: User, ids: list[int], tag: str, on: bool) -> None:
    state = _STATE.match(tag)
    name = state["name"] if state else None
    if name == "read":
        (reading.mark_read if on else reading.mark_unread)(session, user, ids)
    elif name in ("kept-unread", "tracking-kept-unread"):
        (reading.mark_unread if on else reading.mark_read)(session, user, ids)
    elif name == "starred":
        reading.set_starred(session, user, ids, on)
    elif label := _label_name(tag):
        reading.set_label(session, user, ids, label, on)
    # like, broadcast and other Google states have no meaning here: accepted, ignored


@router.post("/reader/api/0/mark-all-as-read")
def mark_all_as_read(
    request: Request,
    form: MultiDict = Depends(query_and_form),
    user: User = Depends(app_user),
    session: Session = SESSION,
) -> PlainTextResponse:
    """Mark a stream's items read, up to ``ts`` when given (those fetched before it)."""
    check_action_token(request, form)
    scope, _ = _stream(session, user, form.get("s", READING_LIST))
    reading.mark_all_read(session, user, scope, crawled_until=_older_than(form.get("ts")))
    return _ok()
