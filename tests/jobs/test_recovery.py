"""Recovering the jobs of dead workers: a stalled poll never clashes with a newer queued one,
one job that cannot be put back never stops the others, dead workers are forgotten."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import text

from tests.support.cli import run_cli
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from wirebrief.jobs.app import ensure_schema, make_app
from wirebrief.jobs.operations import RetryResult, queue_metrics, retry_stalled
from wirebrief.jobs.tasks import ENTRY_TASK, defer_poll
from wirebrief.settings import Settings
from wirebrief.storage.db import Database

SOURCE = 7


def jobs(db: Database) -> dict[int, tuple[str, str]]:
    with db.session() as session:
        rows = session.execute(text("SELECT id, task_name, status::text FROM procrastinate_jobs"))
        return {job_id: (task, status) for job_id, task, status in rows}


def stall(db: Database, job_ids: list[int]) -> None:
    """What a worker SIGKILLed mid-job leaves: its jobs 'doing', its heartbeat old."""
    with db.session() as session:
        worker = session.scalar(text(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - interval '1 hour') RETURNING id"))  # fmt: skip
        session.execute(
            text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :worker "
                 "WHERE id = ANY(:ids)"), {"worker": worker, "ids": job_ids})  # fmt: skip


def test_a_stalled_poll_never_clashes_with_the_newer_queued_one(
    pg_db: Database,  # noqa: F811
) -> None:
    settings = Settings(database_url=pg_db.url, stalled_job_after_s=2.0)

    async def scenario() -> list:
        app = make_app(settings)
        async with app.open_async():
            await ensure_schema(app)
            assert await defer_poll(app, SOURCE)
            entry = app.configure_task(ENTRY_TASK, queue="pages")
            await entry.defer_async(source_id=SOURCE, entry={"url": "https://x.example/1"})
            first_poll, entry_job = sorted(jobs(pg_db))
            stall(pg_db, [first_poll, entry_job])
            # Meanwhile the scheduler found the source due and queued a fresh poll.
            assert await defer_poll(app, SOURCE)
            outcomes = await retry_stalled(app, settings)
            again = await retry_stalled(app, settings)  # the next pass, 5 s later
            return [outcomes, again]

    outcomes, again = asyncio.run(scenario())
    by_job = {outcome.job_id: outcome for outcome in outcomes}
    states = jobs(pg_db)
    first_poll, entry_job, fresh_poll = sorted(states)
    assert by_job[first_poll].result == RetryResult.SUPERSEDED
    assert "closed as aborted" in by_job[first_poll].note
    assert by_job[entry_job].result == RetryResult.QUEUED  # the clash stopped nothing
    assert states == {
        first_poll: ("wirebrief:poll_source", "aborted"),  # its source:N lock is free again
        entry_job: (ENTRY_TASK, "todo"),
        fresh_poll: ("wirebrief:poll_source", "todo"),
    }
    assert again == []
    with pg_db.session() as session:
        assert session.scalar(text("SELECT count(*) FROM procrastinate_workers")) == 0
        metrics = queue_metrics(session, settings)
    assert metrics is not None and metrics.stalled_workers == 0


def test_jobs_retry_of_a_superseded_poll_says_so_in_one_line(
    pg_db: Database,  # noqa: F811
) -> None:
    settings = Settings(database_url=pg_db.url)

    async def enqueue() -> None:
        app = make_app(settings)
        async with app.open_async():
            await ensure_schema(app)
            await defer_poll(app, SOURCE)
            stall(pg_db, list(jobs(pg_db)))
            await defer_poll(app, SOURCE)

    asyncio.run(enqueue())
    stuck = min(jobs(pg_db))
    listed = run_cli("jobs", "--json", database_url=pg_db.url)
    assert [json.loads(line)["id"] for line in listed.stdout.splitlines()] == [stuck]
    result = run_cli("jobs", "--job", str(stuck), "--retry", database_url=pg_db.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert f"Job {stuck} not queued again: a newer job with its lock (poll:{SOURCE})" in (
        result.stdout
    )
    assert jobs(pg_db)[stuck] == ("wirebrief:poll_source", "aborted")
