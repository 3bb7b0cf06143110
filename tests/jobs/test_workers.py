"""Workers on PostgreSQL: a worker SIGKILLed mid-job loses nothing; jobs list and retry."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select, text

from tests.support.cli import run_cli
from tests.support.httpserver import FixtureServer, Route
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from wirebrief.fetch.fetcher import host_key
from wirebrief.jobs.app import ensure_schema, make_app
from wirebrief.jobs.operations import prometheus_lines, queue_metrics
from wirebrief.jobs.tasks import defer_poll
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title></head><body><article>
<h1>{title}</h1><p>{title} was reported on Tuesday after a long meeting of the committee,
which agreed the plan in full.</p><p>Analysts said the decision about {title} would shape the
quarter for everyone involved, and traders watched the numbers closely all afternoon.</p>
</article></body></html>"""
TITLES = ["Alpha harbour", "Bravo turbine", "Charlie orchard", "Delta glacier", "Echo lantern"]
SLOW = "Foxtrot quarry"  # its page answers after a delay: the job the worker dies in


def feed(base: str) -> bytes:
    items = "".join(
        f"<item><title>{t}</title><link>{base}/{t.split()[0]}</link><guid>{t}</guid></item>"
        for t in [*TITLES, SLOW]
    )
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<link>{base}/</link><description>d</description>{items}</channel></rss>").encode()  # fmt: skip


def spawn(command: str, url: str) -> subprocess.Popen[bytes]:
    env = dict(os.environ, WIREBRIEF_DATABASE_URL=url, WIREBRIEF_ALLOW_PRIVATE_NETWORKS="127.0.0.1/32",
               WIREBRIEF_PER_HOST_DELAY="0", WIREBRIEF_EXTRACT_WORKERS="0",
               WIREBRIEF_WORKER_HEARTBEAT="0.5", WIREBRIEF_STALLED_JOB_AFTER="2")  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "wirebrief", command], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def wait_for(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_worker_killed_mid_job_loses_nothing(
    pg_db: Database,  # noqa: F811
    processes: list[subprocess.Popen[bytes]],
) -> None:
    routes = {f"/{t.split()[0]}": Route(PAGE.format(title=t).encode()) for t in TITLES}
    routes[f"/{SLOW.split()[0]}"] = Route(PAGE.format(title=SLOW).encode(), delay_s=6)
    with FixtureServer(routes) as server:
        server.routes["/feed.xml"] = Route(feed(server.base_url.rstrip("/")),
                                           content_type="application/rss+xml")  # fmt: skip
        with pg_db.session() as session:
            source_id = source_store.add_source(session, server.url("/feed.xml"), "wire").id
        settings = Settings(database_url=pg_db.url)

        async def enqueue() -> None:
            app = make_app(settings)
            async with app.open_async():
                await ensure_schema(app)
                assert await defer_poll(app, source_id)
                assert not await defer_poll(app, source_id)  # one waiting poll per source

        asyncio.run(enqueue())
        processes.append(spawn("scheduler", pg_db.url))
        first = spawn("worker", pg_db.url)
        processes.append(first)

        slow_job: list[int] = []

        def slow_job_running() -> bool:
            with pg_db.session() as session:
                slow_job[:] = session.scalars(text(
                    "SELECT j.id FROM procrastinate_jobs AS j JOIN pending_entries AS p "
                    "ON j.args->>'pending_id' = p.id::text WHERE j.status = 'doing' "
                    "AND p.entry->>'title' = :title"), {"title": SLOW}).all()  # fmt: skip
            return bool(slow_job)

        wait_for(slow_job_running, 60, "the slow page's job to start")
        processes.append(spawn("worker", pg_db.url))  # a second worker, then the first dies
        first.send_signal(signal.SIGKILL)
        first.wait()

        def all_done() -> bool:
            with pg_db.session() as session:
                open_jobs = session.scalar(text(
                    "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing') "
                    "AND queue_name <> 'scheduler'"))  # fmt: skip
                stored = session.scalar(select(func.count(Article.id)))
                return open_jobs == 0 and stored == len(TITLES) + 1

        wait_for(all_done, 90, "every entry to be ingested")

    with pg_db.session() as session:
        titles = sorted(session.scalars(select(Article.title)))
        assert titles == sorted([*TITLES, SLOW])  # each exactly once
        failed = session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'")
        )
        assert failed == 0
        retried = session.scalar(
            text("SELECT attempts FROM procrastinate_jobs WHERE id = :id"), {"id": slow_job[0]}
        )
        assert retried >= 1  # the killed attempt was put back and ran again
        # The workers booked their requests in the shared host schedule.
        hosts = list(session.scalars(text("SELECT host FROM host_schedule")))
        assert hosts == [host_key(server.base_url)]
        metrics = queue_metrics(session, Settings(database_url=pg_db.url))
    assert metrics is not None and metrics.latency_p50_s is not None
    assert any(
        line.startswith("wirebrief_job_latency_p95_seconds") for line in prometheus_lines(metrics)
    )


def test_jobs_lists_failed_jobs_and_retries_them(pg_db: Database) -> None:  # noqa: F811
    settings = Settings(database_url=pg_db.url)

    async def enqueue() -> None:
        app = make_app(settings)
        async with app.open_async():
            await ensure_schema(app)
            await defer_poll(app, 12345)

    asyncio.run(enqueue())
    with pg_db.session() as session:
        session.execute(text("UPDATE procrastinate_jobs SET status = 'failed'"))

    listed = run_cli("jobs", "--json", database_url=pg_db.url)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["status"], r["task"]) for r in rows] == [("failed", "wirebrief:poll_source")]
    retried = run_cli("jobs", "--retry", database_url=pg_db.url)
    assert retried.returncode == 0 and "Queued 1 job" in retried.stdout
    with pg_db.session() as session:
        assert session.scalar(text("SELECT status::text FROM procrastinate_jobs")) == "todo"


def test_workers_need_postgresql(settings: Settings) -> None:
    run_cli("init", database_url=settings.database_url)
    result = run_cli("worker", database_url=settings.database_url)
    assert result.returncode == 1
    assert "wirebrief run" in result.stderr
