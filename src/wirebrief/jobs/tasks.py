"""The jobs: poll a source, ingest one entry; and the scheduler's periodic tasks.

Every job is idempotent. A poll only enqueues entries not stored as listed, an entry job
checks again before it fetches, and ``store_article`` upserts by URL in one transaction,
so a job retried after a crash (or enqueued twice) writes nothing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import asdict
from datetime import datetime
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued

from wirebrief.feeds.parser import FeedEntry
from wirebrief.jobs.app import PAGE_QUEUE, POLL_QUEUE, SCHEDULER_QUEUE, Runtime
from wirebrief.storage import sources as source_store
from wirebrief.storage.articles import StoreOutcome
from wirebrief.times import utcnow

work = procrastinate.Blueprint()
schedule = procrastinate.Blueprint()

POLL_TASK = "wirebrief:poll_source"
ENTRY_TASK = "wirebrief:ingest_entry"
# A job that raised (not a fetch or extraction error: those are recorded, not retried)
# runs again after 10 s, 20 s, 40 s, 80 s.
RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=10)


def runtime(context: procrastinate.JobContext) -> Runtime:
    """The worker's database, settings and ingestor."""
    return context.additional_context["wirebrief"]


def entry_to_json(entry: FeedEntry) -> dict[str, Any]:
    """A feed entry as job arguments (JSON)."""
    data = asdict(entry)
    for key in ("published", "updated"):
        data[key] = data[key].isoformat() if data[key] else None
    return data


def entry_from_json(data: dict[str, Any]) -> FeedEntry:
    """The inverse of :func:`entry_to_json`."""
    values = dict(data)
    for key in ("published", "updated"):
        values[key] = datetime.fromisoformat(values[key]) if values[key] else None
    return FeedEntry(**values)


async def defer_poll(app: procrastinate.App, source_id: int, *, force: bool = False) -> bool:
    """Enqueue a poll of a source unless one is already waiting; True when enqueued."""
    task = app.configure_task(
        POLL_TASK, queue=POLL_QUEUE, lock=f"source:{source_id}",
        queueing_lock=f"poll:{source_id}",
    )  # fmt: skip
    try:
        await task.defer_async(source_id=source_id, force=force)
    except AlreadyEnqueued:
        return False
    return True


@work.task(name="poll_source", queue=POLL_QUEUE, pass_context=True, retry=RETRY)
async def poll_source(
    context: procrastinate.JobContext, source_id: int, force: bool = False
) -> dict[str, int]:
    """Fetch and parse a source's listing, then enqueue one job per new or changed entry."""
    rt = runtime(context)
    if not force and not await asyncio.to_thread(_is_due, rt, source_id):
        return {"enqueued": 0}  # polled since this job was enqueued
    poll = await rt.ingestor.poll_source(source_id)  # type: ignore[attr-defined]
    enqueued = 0
    for entry in poll.todo:
        key = hashlib.sha256(entry.url.encode()).hexdigest()[:32]
        task = context.app.configure_task(
            ENTRY_TASK, queue=PAGE_QUEUE, queueing_lock=f"entry:{key}"
        )
        try:
            await task.defer_async(source_id=source_id, entry=entry_to_json(entry))
            enqueued += 1
        except AlreadyEnqueued:
            pass
    return {"listed": poll.report.listed, "enqueued": enqueued}


@work.task(name="ingest_entry", queue=PAGE_QUEUE, pass_context=True, retry=RETRY)
async def ingest_entry(
    context: procrastinate.JobContext, source_id: int, entry: dict[str, Any]
) -> dict[str, int]:
    """Fetch page, page stages (extract … sanitize) and store, for one entry."""
    report = await runtime(context).ingestor.ingest_entry(  # type: ignore[attr-defined]
        source_id, entry_from_json(entry)
    )
    return {**{outcome: report.outcomes[outcome] for outcome in StoreOutcome},
            "failed": len(report.failed)}  # fmt: skip


@schedule.periodic(cron="* * * * * */10")
@schedule.task(name="enqueue_due_sources", queue=SCHEDULER_QUEUE, pass_context=True,
               queueing_lock="enqueue_due_sources")  # fmt: skip
async def enqueue_due_sources(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every 10 s: one poll job per due source (at most one waiting per source)."""
    due = await asyncio.to_thread(source_store.due_source_ids, runtime(context).db)
    return sum([await defer_poll(context.app, source_id) for source_id in due])


@schedule.periodic(cron="* * * * * */5")
@schedule.task(name="retry_stalled_jobs", queue=SCHEDULER_QUEUE, pass_context=True,
               queueing_lock="retry_stalled_jobs")  # fmt: skip
async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every 5 s: jobs of a worker that stopped sending heartbeats (killed, lost) run again."""
    from wirebrief.jobs.operations import RetryResult, retry_stalled

    outcomes = await retry_stalled(context.app, runtime(context).settings)
    return sum(outcome.result == RetryResult.QUEUED for outcome in outcomes)


def _is_due(rt: Runtime, source_id: int) -> bool:
    with rt.db.session() as session:
        source = source_store.get_source(session, source_id)
        next_poll = source.next_poll_at
        return next_poll is None or next_poll <= utcnow()
