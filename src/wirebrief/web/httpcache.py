"""Conditional GET for pages, feeds and the API: ETag, Last-Modified and 304 Not Modified.

The ETag is a hash of the rendered body, so it changes exactly when the content does;
Last-Modified is when this server first answered with that ETag for that URL. A 304
saves the transfer, not the rendering (which is cheap next to the network).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from email.utils import formatdate, parsedate_to_datetime

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CACHEABLE_TYPES = (b"text/html", b"application/rss+xml", b"application/atom+xml",
                    b"application/feed+json", b"application/json")  # fmt: skip
_SKIP_PATHS = ("/admin", "/static", "/metrics")
MAX_BODY = 4 * 1024 * 1024
MAX_URLS = 4096


class ConditionalGetMiddleware:
    """Adds ETag and Last-Modified to cacheable GET answers and turns matches into 304s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._seen: OrderedDict[str, tuple[str, float]] = OrderedDict()  # url → (etag, since)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or scope["path"].startswith(_SKIP_PATHS)
        ):
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        passthrough = False

        async def buffer(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough or message["type"] not in ("http.response.start", "http.response.body"):
                await send(message)  # includes extensions such as the test client's debug
            elif message["type"] == "http.response.start":
                start = message
                headers = Headers(raw=message["headers"])
                cacheable = (
                    message["status"] == 200
                    and headers.get("content-type", "").encode().startswith(_CACHEABLE_TYPES)
                    and "set-cookie" not in headers
                    and "etag" not in headers
                )
                if not cacheable:
                    passthrough = True
                    await send(message)
            else:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_BODY:  # too big to hash in memory: send as is
                    passthrough = True
                    await send(start)  # type: ignore[arg-type]
                    await send({"type": "http.response.body", "body": b"".join(chunks),
                                "more_body": message.get("more_body", False)})  # fmt: skip
                elif not message.get("more_body", False):
                    await self._finish(scope, start, b"".join(chunks), send)  # type: ignore[arg-type]

        await self.app(scope, receive, buffer)

    async def _finish(self, scope: Scope, start: Message, body: bytes, send: Send) -> None:
        etag = f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
        since = self._since(scope, etag)
        headers = MutableHeaders(scope=start)
        headers["etag"] = etag
        headers["last-modified"] = formatdate(since, usegmt=True)
        headers.setdefault("cache-control", "no-cache")  # always revalidate; 304 makes it cheap
        if _not_modified(Headers(scope=scope), etag, since):
            for name in ("content-length", "content-type"):
                if name in headers:
                    del headers[name]
            start["status"] = 304
            await send(start)
            await send({"type": "http.response.body", "body": b""})
            return
        await send(start)
        await send({"type": "http.response.body", "body": body})

    def _since(self, scope: Scope, etag: str) -> float:
        """When this URL first answered with ``etag`` (now, if it just changed)."""
        url = scope["path"] + "?" + scope.get("query_string", b"").decode("latin-1")
        known = self._seen.pop(url, None)
        since = known[1] if known and known[0] == etag else float(int(time.time()))
        self._seen[url] = (etag, since)
        if len(self._seen) > MAX_URLS:
            self._seen.popitem(last=False)
        return since


def _not_modified(request: Headers, etag: str, since: float) -> bool:
    """RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since only without it."""
    if_none_match = request.get("if-none-match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    if_modified_since = request.get("if-modified-since")
    if if_modified_since:
        try:
            return parsedate_to_datetime(if_modified_since).timestamp() >= since
        except (TypeError, ValueError):
            return False
    return False
