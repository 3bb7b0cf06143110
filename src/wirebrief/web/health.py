"""``/healthz``: answers within milliseconds under any load, and says whether the database
answers.

The answer is read, never computed: a thread of its own asks the database once a second on
a connection of its own, and the route only reports its latest result (a check that has not
come back for 5 s means the database is down). The route is exempt from load shedding, so
nothing it does waits behind page requests or the database.
"""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from sqlalchemy import text

from wirebrief.redaction import redact_text
from wirebrief.storage.db import Database, PoolLimits

router = APIRouter()
CHECK_EVERY_S = 1.0
FRESH_WAIT_S = 2.0
STALE_AFTER_S = 3.0
DOWN_AFTER_S = 5.0
IDLE_AFTER_S = 60.0  # nobody asked for a minute: stop asking the database until someone does
# Reads the schema's version, so a SQLite file that cannot be read fails, not only the driver.
_QUERY = text("SELECT version_num FROM alembic_version")


@dataclass(frozen=True)
class Check:
    """One answer (or failure) of the database."""

    ok: bool
    detail: str
    at: float  # time.monotonic() when the check began


class DatabaseProbe:
    """Asks the database ``SELECT version_num FROM alembic_version`` once a second, in a
    thread and on a connection of its own, while anyone reads :meth:`latest`."""

    def __init__(self, url: str) -> None:
        # A short lock wait: the check must fail fast rather than hang behind a writer.
        self._db = Database(url, PoolLimits(size=1, timeout_s=DOWN_AFTER_S, busy_timeout_s=1.0))
        self._last: Check | None = None
        self._checking_since: float | None = None
        self._asked_at = 0.0
        self._asked = threading.Event()  # wakes a thread parked after an idle spell
        self._stop = threading.Event()
        self._fresh = threading.Event()  # set after each check
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    async def latest(self) -> Check:
        """The latest result, at once. Only when there is none recent and no check is
        running (the first call, or the first after an idle spell) does it wait for a fresh
        one, at most ``FRESH_WAIT_S``. A check running for ``DOWN_AFTER_S`` is a failure."""
        now = self._asked_at = time.monotonic()
        last, since = self._last, self._checking_since
        if since is None and (last is None or now - last.at > STALE_AFTER_S):
            self._fresh.clear()
            self._start()
            self._asked.set()
            await asyncio.get_running_loop().run_in_executor(None, self._fresh.wait, FRESH_WAIT_S)
            last, since = self._last, self._checking_since
        if since is not None and now - since >= DOWN_AFTER_S:
            return Check(False, f"the database has not answered for {now - since:.0f} s", now)
        return last or Check(True, "ok (the first check is still running)", now)

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wirebrief-health", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self._checking_since = started = time.monotonic()
            self._last = self._check(started)
            self._checking_since = None
            self._fresh.set()
            if time.monotonic() - self._asked_at > IDLE_AFTER_S:
                self._asked.clear()
                if time.monotonic() - self._asked_at > IDLE_AFTER_S:
                    self._asked.wait()
            else:
                self._stop.wait(CHECK_EVERY_S)

    def _check(self, started: float) -> Check:
        try:
            with self._db.engine.connect() as connection:
                connection.execute(_QUERY).scalar()
        except Exception as exc:  # every failure is a health answer, not an error
            self._db.engine.dispose()  # reconnect next time
            reason = redact_text(str(exc).splitlines()[0])[:300]
            return Check(False, f"the database does not answer: {reason}", started)
        return Check(True, "ok", started)

    def close(self) -> None:
        """Stop the check thread (after a check in flight) and close its connection."""
        self._stop.set()
        self._asked.set()
        self._db.dispose()


@router.get("/healthz", response_class=PlainTextResponse, tags=["health"],
            responses={503: {"description": "The database does not answer."}})  # fmt: skip
async def healthz(request: Request) -> PlainTextResponse:
    """`ok` (200) when the database answers, else 503 with the reason. Answers within
    milliseconds however busy the server is: it never waits behind page requests, and reads
    the result of a check made in the background once a second."""
    check = await request.app.state.health.latest()
    if check.ok:
        return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})
    return PlainTextResponse(
        check.detail, status_code=503, headers={"Cache-Control": "no-store", "Retry-After": "5"}
    )
