"""SIGINT and SIGTERM stop every long-running command within 10 s, leaving no child process
behind and nothing lost: real ``wirebrief`` processes, fixture servers on 127.0.0.1.

Each test waits until the command is busy (pages in flight, the reader serving), sends the
signal, and checks the exit (code 128 + the signal, within 10 s) and that the command's
whole process family (page-stage workers, their forkserver) is gone. Work cut short is
done by the next run: every entry is stored once in the end.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from tests.support.cli import run_cli
from tests.support.httpserver import FixtureServer
from tests.support.newswire import Newswire
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from tests.support.processes import family, spawn, stopped, survivors, wait_until
from wirebrief.settings import Settings
from wirebrief.storage import inbox
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

EXIT_WITHIN_S = 10.0
ITEMS = 24
SLOW_PAGE_S = 0.4


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    stopped(iter(started))


@pytest.fixture
def wire() -> Iterator[Newswire]:
    """A feed whose pages each take a while, so that a command is caught mid-work."""
    with FixtureServer() as server:
        newswire = Newswire(server, ITEMS)
        for item in newswire.items:
            server.routes[item.path].delay_s = SLOW_PAGE_S
        yield newswire


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_and_check(process: subprocess.Popen[bytes], signum: int, log: Path) -> None:
    """Send ``signum``; the command exits within 10 s with 128 + signum, its family gone."""
    members = family(process)
    assert len(members) >= 1
    sent = time.monotonic()
    process.send_signal(signum)
    try:
        code = process.wait(timeout=EXIT_WITHIN_S)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running {EXIT_WITHIN_S:.0f} s after {signum!r}") from None
    took = time.monotonic() - sent
    output = log.read_text(errors="replace")
    assert code == 128 + signum, output
    assert "Traceback" not in output, output
    left = survivors(members, timeout_s=EXIT_WITHIN_S - took)
    assert not left, f"still running: {[(p.pid, p.name()) for p in left]}"


def serving(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1.0).status_code < 500
    except httpx.HTTPError:
        return False


def add_wire(settings: Settings, db: Database, wire: Newswire) -> int:
    with db.session() as session:
        return source_store.add_source(session, wire.feed_url, "The Wire").id


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_fetch_stops_mid_pages_and_the_next_fetch_finishes(
    settings: Settings,
    db: Database,
    wire: Newswire,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    signum: int,
) -> None:
    add_wire(settings, db, wire)
    log = tmp_path / "fetch.log"
    fetch = spawn("fetch", database_url=settings.database_url, log=log,
                  WIREBRIEF_EXTRACT_WORKERS="2")  # fmt: skip
    processes.append(fetch)
    wait_until(lambda: wire.page_requests() >= 4, 60, "pages to be fetched")
    wait_until(lambda: len(family(fetch)) >= 3, 10, "the page-stage pool")
    stop_and_check(fetch, signum, log)
    assert "Stopped by" in log.read_text()

    again = run_cli("fetch", database_url=settings.database_url)
    assert again.returncode == 0, again.stdout + again.stderr
    with db.session() as session:
        assert session.scalar(select(func.count(Article.id))) == ITEMS
        assert inbox.waiting(session) == 0


@pytest.mark.parametrize("workers", ["1", "2"])
def test_serve_stops(
    settings: Settings, db: Database, processes: list, tmp_path: Path, workers: str
) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    serve = spawn("serve", "--port", str(port), "--workers", workers,
                  database_url=settings.database_url, log=log)  # fmt: skip
    processes.append(serve)
    wait_until(lambda: serving(f"http://127.0.0.1:{port}/healthz"), 90, "the reader")
    processes_expected = 1 if workers == "1" else 1 + int(workers)  # a supervisor, then
    wait_until(lambda: len(family(serve)) >= processes_expected, 60, "the web processes")
    stop_and_check(serve, signal.SIGTERM, log)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_run_stops_while_polling_and_serving(
    settings: Settings,
    db: Database,
    wire: Newswire,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
    workers: str,
) -> None:
    """The scheduler stops with the web processes (one, or uvicorn's supervisor of two)."""
    add_wire(settings, db, wire)
    port = free_port()
    log = tmp_path / "run.log"
    run = spawn("run", "--port", str(port), "--workers", workers,
                database_url=settings.database_url, log=log,
                WIREBRIEF_EXTRACT_WORKERS="2")  # fmt: skip
    processes.append(run)
    wait_until(lambda: wire.page_requests() >= 4, 90, "pages to be fetched")
    wait_until(lambda: serving(f"http://127.0.0.1:{port}/healthz"), 60, "the reader")
    stop_and_check(run, signal.SIGTERM, log)
    again = run_cli("fetch", database_url=settings.database_url)
    assert again.returncode == 0, again.stdout + again.stderr
    with db.session() as session:
        assert session.scalar(select(func.count(Article.id))) == ITEMS


def test_demo_stops_while_ingesting_the_newsroom(
    settings: Settings, processes: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    port, newsroom = free_port(), free_port()
    log = tmp_path / "demo.log"
    demo = spawn("demo", "--port", str(port), "--newsroom-port", str(newsroom),
                 database_url=settings.database_url, log=log,
                 WIREBRIEF_EXTRACT_WORKERS="2")  # fmt: skip
    processes.append(demo)
    db = Database(settings.database_url)
    try:
        wait_until(lambda: stored(db) >= 1, 180, "the demo to store its first article")
    finally:
        db.dispose()
    stop_and_check(demo, signal.SIGINT, log)
    with socket.socket() as probe:  # the sample newsroom is gone with it
        assert probe.connect_ex(("127.0.0.1", newsroom)) != 0


def stored(db: Database) -> int:
    try:
        with db.session() as session:
            return session.scalar(select(func.count(Article.id))) or 0
    except OperationalError:  # not created yet
        return 0


def test_worker_and_scheduler_stop_and_leave_no_job_running(
    pg_db: Database,  # noqa: F811
    wire: Newswire,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    with pg_db.session() as session:
        source_store.add_source(session, wire.feed_url, "The Wire")
    env = {"WIREBRIEF_EXTRACT_WORKERS": "1", "WIREBRIEF_WORKER_HEARTBEAT": "0.5",
           "WIREBRIEF_STALLED_JOB_AFTER": "2"}  # fmt: skip
    scheduler = spawn("scheduler", database_url=pg_db.url, log=tmp_path / "scheduler.log", **env)
    worker = spawn("worker", database_url=pg_db.url, log=tmp_path / "worker.log", **env)
    processes += [scheduler, worker]
    wait_until(lambda: wire.page_requests() >= 4, 90, "pages to be fetched")
    stop_and_check(worker, signal.SIGTERM, tmp_path / "worker.log")
    stop_and_check(scheduler, signal.SIGTERM, tmp_path / "scheduler.log")
    with pg_db.session() as session:
        doing = session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing'")
        )
        workers = session.scalar(text("SELECT count(*) FROM procrastinate_workers"))
    assert doing == 0  # finished, or back in the queue for the next worker
    assert workers == 0  # both unregistered on the way out

    worker = spawn("worker", "--once", database_url=pg_db.url, log=tmp_path / "again.log", **env)
    processes.append(worker)
    assert worker.wait(timeout=120) == 0
    with pg_db.session() as session:
        assert session.scalar(select(func.count(Article.id))) == ITEMS
