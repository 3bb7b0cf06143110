"""Crash test on PostgreSQL: ``wirebrief worker`` ×2 and ``wirebrief scheduler`` ingest a
500-item feed with an ETag while the test SIGKILLs workers and the scheduler at seeded
random moments, mid-poll and mid-page, and restarts them. In the end every item is stored
exactly once, searchable and in its story; no job is stuck or failed, no dead worker is
counted, and no page-stage process outlived its worker.

Killing the only worker mid-poll while the scheduler runs is the case that once jammed
recovery for good: the scheduler queues a fresh poll of the still-due source, and the
stalled one must then be closed rather than put back.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from tests.support.httpserver import FixtureServer
from tests.support.newswire import Newswire, assert_stored_once
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from tests.support.processes import family, spawn, stopped, survivors, wait_until
from wirebrief.jobs.app import ensure_schema, make_app
from wirebrief.jobs.operations import problem_jobs, queue_metrics
from wirebrief.jobs.tasks import defer_poll
from wirebrief.settings import Settings
from wirebrief.storage import inbox
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

SEED = int(os.environ.get("WIREBRIEF_CRASH_SEED", "20261207"))
FIRST_ITEMS = 480
LATER_ITEMS = 20
FEED_SECONDS = 1.5
STALLED_AFTER_S = 2.0
ENV = {
    "WIREBRIEF_EXTRACT_WORKERS": "1",
    "WIREBRIEF_WORKER_HEARTBEAT": "0.5",
    "WIREBRIEF_STALLED_JOB_AFTER": str(STALLED_AFTER_S),
}


class Desk:
    """The scheduler and workers of the test, started and SIGKILLed on demand."""

    def __init__(self, db: Database, wire: Newswire, logs: Path) -> None:
        self.db, self.wire, self.logs = db, wire, logs
        self.started: list[subprocess.Popen[bytes]] = []
        self.workers: list[subprocess.Popen[bytes]] = []
        self.scheduler: subprocess.Popen[bytes] | None = None

    def start_worker(self) -> None:
        worker = self._spawn("worker")
        self.workers.append(worker)

    def start_scheduler(self) -> None:
        self.scheduler = self._spawn("scheduler")

    def kill_workers(self) -> None:
        for worker in self.workers:
            kill(worker)
        self.workers = []

    def kill_scheduler(self) -> None:
        assert self.scheduler is not None
        kill(self.scheduler)
        self.scheduler = None

    def poll_running(self) -> bool:
        with self.db.session() as session:
            return bool(session.scalar(text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status = 'doing' "
                "AND task_name = 'wirebrief:poll_source'")))  # fmt: skip

    def _spawn(self, command: str) -> subprocess.Popen[bytes]:
        log = self.logs / f"{command}-{len(self.started)}.log"
        process = spawn(command, database_url=self.db.url, log=log, **ENV)
        self.started.append(process)
        return process


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL; its page-stage workers must follow it."""
    members = family(process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = survivors(members, 5.0)
    assert not left, f"left running after SIGKILL: {[(p.pid, p.name()) for p in left]}"


@pytest.fixture
def desk(pg_db: Database, tmp_path: Path) -> Iterator[tuple[Desk, Newswire]]:  # noqa: F811
    with FixtureServer() as server:
        wire = Newswire(server, FIRST_ITEMS, feed_seconds=FEED_SECONDS)
        desk = Desk(pg_db, wire, tmp_path)
        try:
            yield desk, wire
        finally:
            stopped(iter(desk.started))


def test_killing_workers_and_the_scheduler_loses_and_repeats_nothing(
    desk: tuple[Desk, Newswire],
) -> None:
    team, wire = desk
    db = team.db
    rng = random.Random(SEED)
    with db.session() as session:
        source_id = source_store.add_source(session, wire.feed_url, "The Wire").id
    asyncio.run(enqueue_poll(db, source_id))  # the queue's schema, and the first poll

    def mid_poll() -> None:
        wait_until(team.poll_running, 120, "a poll to run")
        time.sleep(rng.uniform(0.0, FEED_SECONDS))

    def mid_pages() -> None:
        target = wire.page_requests() + rng.randint(20, 120)
        wait_until(lambda: wire.page_requests() >= target, 300, "pages to be fetched")

    # The first poll, on the only worker: the worker dies in it, then the scheduler.
    team.start_scheduler()
    team.start_worker()
    mid_poll()
    team.kill_workers()
    time.sleep(rng.uniform(0.0, 1.0))
    team.kill_scheduler()
    team.start_scheduler()
    team.start_worker()
    team.start_worker()
    mid_pages()
    team.kill_workers()  # both, mid-page
    team.start_worker()
    team.start_worker()
    mid_pages()
    team.kill_scheduler()
    team.start_scheduler()
    # New items, a new ETag, a poll asked for now: every worker dies in it.
    wire.publish(LATER_ITEMS)
    asyncio.run(enqueue_poll(db, source_id))
    mid_poll()
    team.kill_workers()
    team.start_worker()
    team.start_worker()
    mid_pages()
    team.kill_workers()
    team.start_worker()
    team.start_worker()

    def all_done() -> bool:
        with db.session() as session:
            stored = session.scalar(select(func.count(Article.id)))
            open_jobs = session.scalar(text(
                "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                "AND queue_name <> 'scheduler'"))  # fmt: skip
            return stored == len(wire.items) and open_jobs == 0 and not inbox.waiting(session)

    wait_until(all_done, 600, "every item to be stored")
    time.sleep(STALLED_AFTER_S + 6)  # a recovery pass after the last deaths
    settings = Settings(database_url=db.url, stalled_job_after_s=STALLED_AFTER_S)
    assert asyncio.run(stuck_or_failed(settings)) == []
    with db.session() as session:
        metrics = queue_metrics(session, settings)
        assert metrics is not None and metrics.stalled_workers == 0
        assert source_store.get_source(session, source_id).etag == wire.etag
    assert_stored_once(db, wire)


async def enqueue_poll(db: Database, source_id: int) -> None:
    app = make_app(Settings(database_url=db.url))
    async with app.open_async():
        await ensure_schema(app)
        await defer_poll(app, source_id, force=True)


async def stuck_or_failed(settings: Settings) -> list:
    app = make_app(settings)
    async with app.open_async():
        return await problem_jobs(app, settings)
