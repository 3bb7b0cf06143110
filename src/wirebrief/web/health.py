"""``/healthz``: answers within milliseconds under any load, and says whether the database
answers.

It never queues behind page requests: it is exempt from load shedding, runs on the event
loop, and asks the database on its own connection in its own thread. A check runs at most
once a second; the endpoint waits for a fresh one only briefly and otherwise reports the
last result, unless the check in flight has taken too long (then the database is down).
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from wirebrief.redaction import redact_text
from wirebrief.storage.db import Database, PoolLimits

router = APIRouter()
CHECK_EVERY_S = 1.0
WAIT_FOR_CHECK_S = 0.05
DOWN_AFTER_S = 5.0
# Reads the schema's version, so a SQLite file that cannot be read fails, not only the driver.
_QUERY = text("SELECT version_num FROM alembic_version")


@dataclass(frozen=True)
class Check:
    """One answer (or failure) of the database."""

    ok: bool
    detail: str
    at: float  # time.monotonic()


class DatabaseProbe:
    """Asks the database ``SELECT version_num FROM alembic_version`` on a connection of its own."""

    def __init__(self, url: str) -> None:
        # A short lock wait: the check must fail fast rather than hang behind a writer.
        self._db = Database(url, PoolLimits(size=1, timeout_s=DOWN_AFTER_S, busy_timeout_s=1.0))
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wirebrief-health")
        self._last: Check | None = None
        self._pending: Future[Check] | None = None
        self._pending_since = 0.0

    async def status(self) -> Check:
        """The freshest answer available within a few milliseconds."""
        now = time.monotonic()
        if self._pending is not None and self._pending.done():
            self._last, self._pending = self._pending.result(), None
        if self._last is not None and now - self._last.at < CHECK_EVERY_S:
            return self._last
        if self._pending is None:
            self._pending, self._pending_since = self._thread.submit(self._check), now
        pending = asyncio.wrap_future(self._pending)
        try:
            self._last = await asyncio.wait_for(asyncio.shield(pending), WAIT_FOR_CHECK_S)
            self._pending = None
        except TimeoutError:
            waited = now - self._pending_since
            if waited >= DOWN_AFTER_S:
                return Check(False, f"the database has not answered for {waited:.0f} s", now)
            if self._last is None:
                return Check(True, "ok (the first check is still running)", now)
        return self._last

    def _check(self) -> Check:
        try:
            with self._db.engine.connect() as connection:
                connection.execute(_QUERY).scalar()
        except Exception as exc:  # every failure is a health answer, not an error
            self._db.engine.dispose()  # reconnect next time
            reason = redact_text(str(exc).splitlines()[0])[:300]
            return Check(False, f"the database does not answer: {reason}", time.monotonic())
        return Check(True, "ok", time.monotonic())

    def close(self) -> None:
        """Stop the check thread and close its connection."""
        self._thread.shutdown(wait=False, cancel_futures=True)
        self._db.dispose()


@router.get("/healthz", response_class=PlainTextResponse, tags=["health"],
            responses={503: {"description": "The database does not answer."}})  # fmt: skip
async def healthz(request: Request) -> PlainTextResponse:
    """`ok` (200) when the database answers, else 503 with the reason. Answers within
    milliseconds however busy the server is: it never waits behind page requests."""
    check = await request.app.state.health.status()
    if check.ok:
        return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})
    return PlainTextResponse(
        check.detail, status_code=503, headers={"Cache-Control": "no-store", "Retry-After": "5"}
    )
