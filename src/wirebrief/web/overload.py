"""Overload is shed, not suffered: a bounded number of requests run at once, a bounded number
wait briefly for a turn, and the rest are answered at once with 503 and Retry-After.

Without this, every connection got a thread and then waited for one of a few database
connections: at 60 concurrent clients nothing was answered for 20–47 s and then came 500s.
Here the web process runs ``web_threads`` requests at once (one database connection each),
lets ``web_queue`` more wait up to ``web_queue_timeout_s``, and answers the others
immediately. A database that is still too slow (a
pool wait, a SQLite write lock held by a fetch, a PostgreSQL server that does not answer)
is a 503 with Retry-After as well.

Shedding must cost less than serving, or the shed requests become the overload: the check
comes before routing, and its answer is bytes made once (no request object, no template, no
database). Only the page cache, the request metrics and the header layers are outside it, so
a cached page is answered from memory however busy the threads are. /healthz and static
files pass unqueued.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.types import ASGIApp, Receive, Scope, Send

from wirebrief.metrics import REQUESTS_SHED
from wirebrief.web.errorpages import API_PREFIX
from wirebrief.web.staticfiles import static_url
from wirebrief.web.templating import templates

logger = logging.getLogger(__name__)
# Paths that never wait behind page requests: the health check (it reads a value a thread
# keeps fresh) and static files (no database; their file reads use the threads left over).
UNQUEUED = ("/healthz", "/static/")
SPARE_THREADS = 4  # for static files, beyond one thread per admitted request
BUSY_MESSAGE = "The reader is busy right now; try again in a moment."


class BusyAnswer:
    """The 503 with Retry-After, made once: JSON for the API, a short page otherwise."""

    def __init__(self, retry_after_s: int) -> None:
        page = templates.env.get_template("busy.html").render(
            message=BUSY_MESSAGE, static_url=static_url
        )
        self._bodies = {
            True: (b"application/json", json.dumps({"detail": BUSY_MESSAGE}).encode()),
            False: (b"text/html; charset=utf-8", page.encode()),
        }
        # The security headers come from their own layer, outside this one.
        self._headers = [
            (b"retry-after", str(retry_after_s).encode()),
            (b"cache-control", b"no-store"),
        ]

    async def send(self, scope: Scope, send: Send) -> None:
        path = scope["path"]
        kind, body = self._bodies[path.startswith(API_PREFIX) or path == "/openapi.json"]
        headers = [*self._headers, (b"content-type", kind),
                   (b"content-length", str(len(body)).encode())]  # fmt: skip
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def response(self, request: Request) -> Response:
        """The same answer as a response object, for an exception handler."""
        path = request.url.path
        kind, body = self._bodies[path.startswith(API_PREFIX) or path == "/openapi.json"]
        headers = {name.decode(): value.decode() for name, value in self._headers}
        return Response(body, 503, headers, media_type=kind.decode())


class LoadShedMiddleware:
    """Admits ``capacity`` requests at once; up to ``queue`` more wait at most ``wait_s``."""

    def __init__(
        self, app: ASGIApp, capacity: int, queue: int, wait_s: float, busy: BusyAnswer
    ) -> None:
        self.app = app
        self.capacity, self.queue, self.wait_s, self.busy = capacity, queue, wait_s, busy
        self._turns: asyncio.Semaphore | None = None  # made on the server's event loop
        self.waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(UNQUEUED):
            await self.app(scope, receive, send)
            return
        turns = self._turns or self._start()
        if not await self._wait_for_turn(turns):
            REQUESTS_SHED.inc()
            await self.busy.send(scope, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            turns.release()

    def _start(self) -> asyncio.Semaphore:
        # One thread per admitted request, plus a few for static files (anyio's default, 40,
        # would let more requests than database connections run at once).
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = self.capacity + SPARE_THREADS
        self._turns = asyncio.Semaphore(self.capacity)
        return self._turns

    async def _wait_for_turn(self, turns: asyncio.Semaphore) -> bool:
        if not turns.locked():
            await turns.acquire()
            return True
        if self.waiting >= self.queue or self.wait_s <= 0:
            return False
        self.waiting += 1
        try:
            await asyncio.wait_for(turns.acquire(), self.wait_s)
            return True
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is saturated or unreachable (worth a retry), as
    opposed to a mistake in a query."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        name = type(exc.orig).__name__
        message = str(exc.orig).lower()
        # SQLite: a fetch held the write lock past the busy timeout. PostgreSQL: the server
        # is down, restarting, out of connections, or a statement ran past its timeout.
        return (
            "database is locked" in message
            or "database table is locked" in message
            or (
                name in ("OperationalError", "QueryCanceled", "AdminShutdown", "TooManyConnections")
                and not ("no such table" in message or "syntax error" in message)
            )
        )
    return False


def install(app: FastAPI, capacity: int, queue: int, wait_s: float) -> None:
    """Shed load in front of what ``app`` has so far (the middleware added after this call
    sits outside the shedding) and answer database saturation with 503."""
    busy = BusyAnswer(retry_after_s=max(1, math.ceil(wait_s)))
    app.add_middleware(LoadShedMiddleware, capacity=capacity, queue=queue, wait_s=wait_s, busy=busy)

    async def database_unavailable(request: Request, exc: Exception) -> Response:
        if not is_database_unavailable(exc):
            raise exc
        REQUESTS_SHED.inc()
        logger.warning("database unavailable for %s: %s", request.url.path, exc)
        return busy.response(request)

    app.add_exception_handler(PoolTimeout, database_unavailable)
    app.add_exception_handler(DBAPIError, database_unavailable)
