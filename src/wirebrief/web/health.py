"""``/healthz``: answers within milliseconds under any load, and says whether the database
answers.

The answer is read, never computed: a thread of its own asks the database once a second on
a connection of its own, and the route only reports its latest result (a check that has not
come back for 5 s means the database is down). The route is exempt from load shedding, so
nothing it does waits behind page requests or the database. With ``WIREBRIEF_HEALTH_PORT``,
:class:`HealthListener` also answers it on a port of its own from a thread of its own: a
request loop saturated by pages (hundreds of connections) then delays it no more.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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
        now = time.monotonic()
        if self._needs_fresh(now):
            await asyncio.get_running_loop().run_in_executor(None, self._fresh.wait, FRESH_WAIT_S)
        return self._answer(now)

    def latest_in_thread(self) -> Check:
        """:meth:`latest` for a caller that is a thread of its own (it may block)."""
        now = time.monotonic()
        if self._needs_fresh(now):
            self._fresh.wait(FRESH_WAIT_S)
        return self._answer(now)

    def _needs_fresh(self, now: float) -> bool:
        self._asked_at = now
        last = self._last
        if self._checking_since is None and (last is None or now - last.at > STALE_AFTER_S):
            self._fresh.clear()
            self._start()
            self._asked.set()
            return True
        return False

    def _answer(self, now: float) -> Check:
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


class HealthListener:
    """``GET /healthz`` on a port of its own, answered by threads outside the request loop
    from a probe of its own (what a load balancer or monitor should ask when the reader may
    be saturated). Everything else there is a 404."""

    def __init__(self, listening: socket.socket, database_url: str) -> None:
        self.probe = DatabaseProbe(database_url)
        self._server = ThreadingHTTPServer(
            listening.getsockname()[:2], _handler(self.probe), bind_and_activate=False
        )
        self._server.socket.close()
        self._server.socket = listening
        self._server.server_activate()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="wirebrief-health-port", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        """The port it answers on."""
        return int(self._server.server_address[1])

    def close(self) -> None:
        """Stop answering and stop the probe."""
        self._server.shutdown()
        self._server.server_close()
        self.probe.close()


def _handler(probe: DatabaseProbe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            if self.path.split("?", 1)[0] != "/healthz":
                status, body = 404, b"not found: ask /healthz"
            else:
                check = probe.latest_in_thread()
                status, body = (200, b"ok") if check.ok else (503, check.detail.encode())
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            if status == 503:
                self.send_header("Retry-After", "5")
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # a monitor asks every few seconds: not worth a log line each

    return Handler
