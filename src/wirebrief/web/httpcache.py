"""Conditional GET for what the page cache does not keep (a signed-in reader's pages): an
ETag that hashes the rendered body, and 304 Not Modified when it matches.

The ETag changes exactly when the content does and is the same in every web process, so
no state is kept between requests. Public pages get validators from the data version
instead (``web/pagecache.py``), which also saves the rendering.
"""

from __future__ import annotations

import hashlib

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CACHEABLE_TYPES = (b"text/html", b"application/rss+xml", b"application/atom+xml",
                    b"application/feed+json", b"application/json")  # fmt: skip
_SKIP_PATHS = ("/admin", "/static", "/metrics")
MAX_BODY = 4 * 1024 * 1024


class ConditionalGetMiddleware:
    """Adds an ETag to cacheable GET answers and turns matches into 304s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

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
                    await _finish(scope, start, b"".join(chunks), send)  # type: ignore[arg-type]

        await self.app(scope, receive, buffer)


async def _finish(scope: Scope, start: Message, body: bytes, send: Send) -> None:
    etag = f'W/"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
    headers = MutableHeaders(scope=start)
    headers["etag"] = etag
    headers.setdefault("cache-control", "no-cache")  # always revalidate; 304 makes it cheap
    if _not_modified(Headers(scope=scope), etag):
        for name in ("content-length", "content-type"):
            if name in headers:
                del headers[name]
        start["status"] = 304
        await send(start)
        await send({"type": "http.response.body", "body": b""})
        return
    await send(start)
    await send({"type": "http.response.body", "body": body})


def _not_modified(request: Headers, etag: str) -> bool:
    """RFC 9110 §13.1.2: a weak comparison of If-None-Match's tags with ours."""
    if_none_match = request.get("if-none-match")
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags
