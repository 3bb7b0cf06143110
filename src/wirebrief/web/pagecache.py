"""Public pages, feeds and API lists cached by the data version (issue 19).

Every write to what these pages show moves one counter in the database (triggers of
migration 0016, ``storage/dataversion.py``). A page is rendered once per version and kept
in this process, gzipped and plain; its ETag and Last-Modified are derived from the version,
so every web process gives the same validators for the same page and answers a browser's,
feed reader's or proxy's revalidation with 304 without rendering anything. A change shows
at once: each request reads the version (on SQLite a ``PRAGMA data_version`` check that
costs no I/O; on PostgreSQL one indexed read).

Only anonymous requests are served from or stored in the cache: a request carrying a
session cookie or credentials goes to the routes, and its answer (``private``, per account)
is never kept. The market widget's prices come from providers, not from these tables, so
while price providers are configured the key also carries the price cache's period.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wirebrief import __version__
from wirebrief.storage.dataversion import Version, VersionReader
from wirebrief.web.auth import COOKIE

log = logging.getLogger(__name__)

# What every visitor sees alike. Accounts, sign-in, admin, the reader apps' APIs, metrics
# and health are never cached here.
CACHED_PATHS = ("/", "/sources", "/search")
CACHED_PREFIXES = ("/articles/", "/stories/", "/sources/", "/assets/", "/feeds/",
                   "/api/articles", "/api/stories", "/api/search", "/api/sources",
                   "/api/assets")  # fmt: skip
_CACHEABLE_TYPES = (b"text/html", b"application/rss+xml", b"application/atom+xml",
                    b"application/feed+json", b"application/json")  # fmt: skip
# Headers of the rendered answer that the cache sets itself, per request.
_OWN_HEADERS = {b"content-length", b"content-encoding", b"etag", b"last-modified", b"vary",
                b"cache-control", b"date", b"server"}  # fmt: skip
# The routes render a plain, unconditional answer for the cache.
_NOT_PASSED_ON = (b"accept-encoding", b"if-none-match", b"if-modified-since")
MAX_ENTRY_BYTES = 1024 * 1024
MAX_BYTES = 64 * 1024 * 1024  # per process
GZIP_MIN_BYTES = 1024
VERSION_WAIT_S = 2.0


@dataclass(frozen=True)
class Entry:
    """One rendered page: its validator, headers and both encodings of its body."""

    etag: str
    headers: list[tuple[bytes, bytes]]
    plain: bytes
    gzipped: bytes | None
    route: object  # the route that rendered it, for the request metrics' label

    @property
    def size(self) -> int:
        return len(self.plain) + len(self.gzipped or b"")


@dataclass(frozen=True)
class Answer:
    """An answer the cache passes on as the routes gave it."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def build_id() -> str:
    """A hash of this installation's code and templates: a new release changes every ETag,
    the same release gives the same ETags in every process."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=8)
    package = Path(__file__).resolve().parent.parent
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".html", ".css", ".js") and path.is_file():
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def is_cached_path(path: str) -> bool:
    """Whether ``path`` is one of the pages every visitor sees alike."""
    return path in CACHED_PATHS or path.startswith(CACHED_PREFIXES)


def is_personal(headers: Headers) -> bool:
    """A request that may be answered for one account: a session cookie or credentials."""
    return f"{COOKIE}=" in headers.get("cookie", "") or "authorization" in headers


class PageCache:
    """ASGI middleware: anonymous GETs of public pages answered from the cache or with 304;
    a miss renders once (concurrent requests for the same page wait for that rendering)."""

    def __init__(
        self,
        app: ASGIApp,
        versions: VersionReader,
        *,
        enabled: bool = True,
        period_s: Callable[[], int] = lambda: 0,
        in_thread: bool = False,
    ) -> None:
        self.app = app
        self.versions = versions
        self.enabled = enabled
        self._period_s = period_s  # 0, or the price cache's lifetime (see the module's doc)
        self._in_thread = in_thread  # read the version off the event loop (a network round trip)
        self._build = build_id()
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._rendering: dict[str, asyncio.Future[Entry | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.enabled
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or not is_cached_path(scope["path"])
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if is_personal(headers):
            await self.app(scope, receive, send)
            return
        try:
            version = await self._version()
        except Exception as exc:  # the routes answer (503 when the database is away)
            log.warning("page cache: data version unreadable, not caching: %s", exc)
            await self.app(scope, receive, send)
            return
        # The host is part of the key: pages without WIREBRIEF_PUBLIC_URL link to the address
        # they were asked at, and one client's Host header must not reach another's page.
        key = "{}://{}{}?{}".format(
            scope.get("scheme", "http"),
            headers.get("host", ""),
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
        )
        etag, modified = self._validators(key, version)
        if _not_modified(headers, etag, modified):
            if (known := self._entries.get(key)) is not None:
                scope["route"] = known.route
            await _send(send, 304, _validator_headers(etag, modified), b"")
            return
        found = await self._entry(key, etag, scope, receive)
        if isinstance(found, Answer):  # not for the cache (an error page, a private answer)
            await _send(send, found.status, found.headers, found.body)
            return
        scope["route"] = found.route
        gzipped = found.gzipped is not None and "gzip" in headers.get("accept-encoding", "")
        body = found.gzipped if gzipped and found.gzipped is not None else found.plain
        out = [*found.headers, *_validator_headers(etag, modified)]
        if gzipped:
            out.append((b"content-encoding", b"gzip"))
        out.append((b"content-length", str(len(body)).encode()))
        await _send(send, 200, out, body)

    async def _version(self) -> Version:
        if not self._in_thread:
            return self.versions.current()
        loop = asyncio.get_running_loop()
        reading = loop.run_in_executor(None, self.versions.current)
        return await asyncio.wait_for(reading, VERSION_WAIT_S)

    def _validators(self, key: str, version: Version) -> tuple[str, float]:
        period = self._period_s()
        now = time.time()
        epoch = int(now // period) if period else 0
        modified = max(version.changed_at.timestamp(), epoch * period)
        seed = f"{self._build}/{version.number}/{epoch}/{key}".encode()
        return f'W/"{hashlib.blake2b(seed, digest_size=12).hexdigest()}"', modified

    async def _entry(self, key: str, etag: str, scope: Scope, receive: Receive) -> Entry | Answer:
        entry = self._entries.get(key)
        if entry is not None and entry.etag == etag:
            self._entries.move_to_end(key)
            return entry
        pending = self._rendering.get(key)
        if pending is not None:
            rendered = await asyncio.shield(pending)
            if rendered is not None and rendered.etag == etag:
                return rendered
        future: asyncio.Future[Entry | None] = asyncio.get_running_loop().create_future()
        self._rendering[key] = future
        answer: Entry | Answer | None = None
        try:
            answer = await self._render(etag, scope, receive)
        finally:
            if self._rendering.get(key) is future:
                del self._rendering[key]
            future.set_result(answer if isinstance(answer, Entry) else None)
        if isinstance(answer, Entry):
            self._keep(key, answer)
        return answer

    async def _render(self, etag: str, scope: Scope, receive: Receive) -> Entry | Answer:
        """The routes' answer, plain (the cache compresses it once): an entry if it may be
        kept, else the answer as it is."""
        inner = dict(scope)
        inner["headers"] = [(k, v) for k, v in scope["headers"] if k not in _NOT_PASSED_ON]
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, capture)
        if "route" in inner:
            scope["route"] = inner["route"]
        if start is None:
            raise RuntimeError(f"no answer to {scope['path']}")
        body = b"".join(chunks)
        headers = Headers(raw=start["headers"])
        rules = headers.get("cache-control", "")
        if (
            start["status"] != 200
            or not headers.get("content-type", "").encode().startswith(_CACHEABLE_TYPES)
            or "set-cookie" in headers
            or "private" in rules
            or "no-store" in rules
            or headers.get("content-encoding")
            or len(body) > MAX_ENTRY_BYTES
        ):
            return Answer(start["status"], list(start["headers"]), body)
        kept = [(k, v) for k, v in start["headers"] if k.lower() not in _OWN_HEADERS]
        gzipped = gzip.compress(body, 6, mtime=0) if len(body) >= GZIP_MIN_BYTES else None
        return Entry(etag, kept, body, gzipped, inner.get("route"))

    def _keep(self, key: str, entry: Entry) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= old.size
        self._entries[key] = entry
        self._bytes += entry.size
        while self._bytes > MAX_BYTES and self._entries:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= dropped.size


def _validator_headers(etag: str, modified: float) -> list[tuple[bytes, bytes]]:
    stamp = format_datetime(datetime.fromtimestamp(int(modified), UTC), usegmt=True)
    return [
        (b"etag", etag.encode()),
        (b"last-modified", stamp.encode()),
        # Any cache may keep it and must ask again each time (a 304 is cheap); a signed-in
        # reader's copy differs, hence Cookie.
        (b"cache-control", b"public, no-cache"),
        (b"vary", b"Accept-Encoding, Cookie"),
    ]


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _not_modified(request: Headers, etag: str, modified: float) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = request.get("if-modified-since")
    if if_modified_since:
        try:
            return parsedate_to_datetime(if_modified_since).timestamp() >= int(modified)
        except (TypeError, ValueError):
            return False
    return False
