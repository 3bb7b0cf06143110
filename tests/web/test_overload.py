"""Overload is shed, not suffered: bounded waits, then 503 with Retry-After; /healthz answers
whatever the load and says whether the database answers."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

import httpx
import pytest

from tests.support.appserver import AppServer
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app
from wirebrief.web.health import HealthListener


@pytest.fixture
def gated(settings: Settings, db: Database) -> Iterator[tuple[str, threading.Event]]:
    """A server with 2 request threads and room for 2 waiting requests (0.5 s at most),
    and a route that holds its thread until the test opens the gate."""
    gate = threading.Event()
    app = create_app(settings.with_overrides(web_threads=2, web_queue=2, web_queue_timeout_s=0.5))

    def held() -> str:
        gate.wait(30)
        return "done"

    app.add_api_route("/held", held)
    app.add_api_route("/api/held", held)
    with AppServer(app) as server:
        yield server.base_url, gate
        gate.set()


def test_requests_beyond_the_threads_and_queue_get_503_with_retry_after(
    gated: tuple[str, threading.Event],
) -> None:
    base, gate = gated
    with ThreadPoolExecutor(8) as pool:
        holders = [pool.submit(httpx.get, base + "/held", timeout=30) for _ in range(2)]
        _wait_until_held(base)
        shed_page = httpx.get(base + "/", timeout=10)
        shed_api = httpx.get(base + "/api/articles", timeout=10)
        health = httpx.get(base + "/healthz", timeout=10)
        gate.set()
        assert [h.result().status_code for h in holders] == [200, 200]
    assert shed_page.status_code == 503 and shed_page.headers["retry-after"] == "1"
    assert shed_page.headers["content-type"].startswith("text/html")
    assert "busy" in shed_page.text
    assert shed_api.status_code == 503 and shed_api.headers["retry-after"] == "1"
    assert shed_api.json() == {"detail": "The reader is busy right now; try again in a moment."}
    assert health.status_code == 200 and health.text == "ok"  # never queued behind pages
    assert httpx.get(base + "/").status_code == 200  # served again once threads are free


def test_a_full_queue_is_answered_at_once(gated: tuple[str, threading.Event]) -> None:
    base, gate = gated
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(httpx.get, base + "/held", timeout=30) for _ in range(6)]
        first = []  # the 4 beyond the threads: 2 waited 0.5 s, 2 found the queue full
        for future in as_completed(futures, timeout=25):
            first.append(future.result().status_code)
            if len(first) == 4:
                break
        gate.set()
        statuses = sorted(future.result().status_code for future in futures)
    assert first == [503, 503, 503, 503]
    assert statuses == [200, 200, 503, 503, 503, 503]


def test_a_cached_page_is_answered_while_every_thread_is_taken(
    gated: tuple[str, threading.Event],
) -> None:
    """A page cache hit is memory, no thread and no database: it never waits behind the
    page requests nor is shed; a page not in the cache is."""
    base, gate = gated
    kept = httpx.get(base + "/api/articles?limit=3", timeout=10)
    assert kept.status_code == 200
    with ThreadPoolExecutor(2) as pool:
        holders = [pool.submit(httpx.get, base + "/held", timeout=30) for _ in range(2)]
        _wait_until_held(base)
        cached = httpx.get(base + "/api/articles?limit=3", timeout=10)
        revalidated = httpx.get(base + "/api/articles?limit=3", timeout=10,
                                headers={"If-None-Match": kept.headers["etag"]})  # fmt: skip
        not_cached = httpx.get(base + "/api/articles?limit=4", timeout=10)
        gate.set()
        assert [h.result().status_code for h in holders] == [200, 200]
    assert cached.status_code == 200 and cached.json() == kept.json()
    assert revalidated.status_code == 304
    assert not_cached.status_code == 503


def _wait_until_held(base: str) -> None:
    """Until both request threads are taken (the next request waits, then is shed). The
    removal form is never cached, so each try needs a thread."""
    for _ in range(100):
        if httpx.get(base + "/removal", timeout=10).status_code == 503:
            return
    raise AssertionError("the held requests never filled the threads")


def test_a_write_locked_sqlite_database_is_a_503_not_a_hang(
    settings: Settings, db: Database
) -> None:
    path = settings.sqlite_path
    assert path is not None
    writer = sqlite3.connect(path, timeout=1)
    writer.execute("BEGIN IMMEDIATE")  # as a fetch holds it while storing a page
    writer.execute("INSERT INTO audit_log (at, actor, action, target, detail) VALUES "
                   "('2026-01-01 00:00:00', 'test', 'hold', 'lock', '')")  # fmt: skip
    try:
        with AppServer(create_app(settings)) as server:
            answer = httpx.post(
                server.base_url + "/removal",
                data={"url": "https://news.example/a", "reason": "It names me wrongly, please.",
                      "contact_email": "me@mail.example"},
                timeout=30,
            )  # fmt: skip
            read = httpx.get(server.base_url + "/api/articles", timeout=30)
    finally:
        writer.rollback()
        writer.close()
    assert answer.status_code == 503 and answer.headers["retry-after"]
    assert "busy" in answer.text
    assert read.status_code == 200  # readers are not blocked by the writer (WAL)


def test_healthz_says_when_the_database_does_not_answer(tmp_path: Path) -> None:
    folder = tmp_path / "not-a-database"
    folder.mkdir()
    app = create_app(Settings(database_url=f"sqlite:///{folder}"))
    with AppServer(app) as server:
        answer = httpx.get(server.base_url + "/healthz", timeout=10)
    assert answer.status_code == 503
    assert answer.text.startswith("the database does not answer: ")
    assert "Traceback" not in answer.text


def _listening() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def test_the_health_port_answers_from_a_thread_of_its_own(db: Database, tmp_path: Path) -> None:
    """WIREBRIEF_HEALTH_PORT: /healthz on a port of its own (ok, HEAD, 404 elsewhere, and
    503 with the reason when the database does not answer), never behind the request loop."""
    listener = HealthListener(_listening(), db.url)
    folder = tmp_path / "not-a-database"
    folder.mkdir()
    broken = HealthListener(_listening(), f"sqlite:///{folder}")
    try:
        base = "http://127.0.0.1:{}".format
        port, broken_port = listener.port, broken.port
        answer = httpx.get(base(port) + "/healthz", timeout=10)
        assert (answer.status_code, answer.text) == (200, "ok")
        assert answer.headers["cache-control"] == "no-store"
        assert httpx.head(base(port) + "/healthz", timeout=10).status_code == 200
        assert httpx.get(base(port) + "/", timeout=10).status_code == 404
        down = httpx.get(base(broken_port) + "/healthz", timeout=10)
        assert down.status_code == 503 and down.headers["retry-after"]
        assert down.text.startswith("the database does not answer: ")
    finally:
        listener.close()
        broken.close()


def test_serve_answers_health_checks_on_the_health_port(db: Database) -> None:
    with _listening() as taken, _listening() as health_taken:
        port, health_port = taken.getsockname()[1], health_taken.getsockname()[1]
    env = dict(os.environ, WIREBRIEF_DATABASE_URL=db.url, WIREBRIEF_HEALTH_PORT=str(health_port),
               NO_COLOR="1")  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "wirebrief", "serve", "--port", str(port)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{health_port}/healthz", timeout=10)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "no health port"
                time.sleep(0.3)
        assert (answer.status_code, answer.text) == (200, "ok")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert f"Health checks at http://127.0.0.1:{health_port}/healthz" in output
