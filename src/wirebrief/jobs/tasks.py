"""The jobs: poll a source, ingest one entry; and the scheduler's periodic tasks.

Every job is idempotent. A poll records the listing and queues its new and changed entries
in the inbox in one transaction, then enqueues a job per waiting entry; an entry job stores
the entry and takes it out of the inbox in one transaction, so a job retried after a crash
(or enqueued twice) finds nothing left to do. Should a worker die between the poll's commit
and its enqueueing, the scheduler enqueues the waiting entries that have no job.
"""

from __future__ import annotations

import asyncio
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued

from wirebrief.feeds.parser import FeedEntry
from wirebrief.jobs.app import PAGE_QUEUE, POLL_PRIORITY, POLL_QUEUE, SCHEDULER_QUEUE, Runtime
from wirebrief.storage import inbox
from wirebrief.storage import sources as source_store
from wirebrief.storage.articles import StoreOutcome

work = procrastinate.Blueprint()
schedule = procrastinate.Blueprint()

POLL_TASK = "wirebrief:poll_source"
ENTRY_TASK = "wirebrief:ingest_entry"
# A job that raised (not a fetch or extraction error: those are recorded, not retried)
# runs again after 10 s, 20 s, 40 s, 80 s.
RETRY = procrastinate.RetryStrategy(max_attempts=5, exponential_wait=10)
# Waiting entries given a job per scheduler pass (every 10 s).
ENQUEUE_BATCH = 2000


def runtime(context: procrastinate.JobContext) -> Runtime:
    """The worker's database, settings and ingestor."""
    return context.additional_context["wirebrief"]


def entry_lock(pending_id: int) -> str:
    """The lock of a waiting entry's job: one waiting, and one running, per entry."""
    return f"entry:{pending_id}"


async def defer_entry(app: procrastinate.App, pending_id: int) -> bool:
    """Enqueue the job of a waiting entry unless one is already waiting; True when enqueued."""
    lock = entry_lock(pending_id)
    task = app.configure_task(ENTRY_TASK, queue=PAGE_QUEUE, lock=lock, queueing_lock=lock)
    try:
        await task.defer_async(pending_id=pending_id)
    except AlreadyEnqueued:
        return False
    return True


async def defer_poll(app: procrastinate.App, source_id: int, *, force: bool = False) -> bool:
    """Enqueue a poll of a source unless one is already waiting; True when enqueued."""
    task = app.configure_task(
        POLL_TASK, queue=POLL_QUEUE, priority=POLL_PRIORITY, lock=f"source:{source_id}",
        queueing_lock=f"poll:{source_id}",
    )  # fmt: skip
    try:
        await task.defer_async(source_id=source_id, force=force)
    except AlreadyEnqueued:
        return False
    return True


@work.task(name="poll_source", queue=POLL_QUEUE, priority=POLL_PRIORITY, pass_context=True,
           retry=RETRY)  # fmt: skip
async def poll_source(
    context: procrastinate.JobContext, source_id: int, force: bool = False
) -> dict[str, int]:
    """Fetch and parse a source's listing when it is due (or ``force``), queue its new and
    changed entries, then enqueue a job for each of its waiting entries."""
    rt = runtime(context)
    ingestor = rt.ingestor
    poll = await ingestor.poll_source(source_id, force=force)  # type: ignore[attr-defined]
    waiting = await asyncio.to_thread(_waiting_ids, rt, source_id)
    enqueued = sum([await defer_entry(context.app, pending_id) for pending_id in waiting])
    return {"listed": poll.report.listed, "enqueued": enqueued}


@work.task(name="ingest_entry", queue=PAGE_QUEUE, pass_context=True, retry=RETRY)
async def ingest_entry(
    context: procrastinate.JobContext,
    pending_id: int | None = None,
    source_id: int | None = None,
    entry: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Fetch page, page stages (extract … sanitize) and store, for one waiting entry.
    (``source_id`` and ``entry``: a job queued by a version without the inbox.)"""
    rt = runtime(context)
    if pending_id is None and source_id is not None and entry is not None:
        pending_id = await asyncio.to_thread(_queue_listed, rt, source_id, entry)
    if pending_id is None:
        return {}
    report = await rt.ingestor.ingest_pending(pending_id)  # type: ignore[attr-defined]
    return {**{outcome: report.outcomes[outcome] for outcome in StoreOutcome},
            "failed": len(report.failed), "deferred": len(report.deferred)}  # fmt: skip


@schedule.periodic(cron="* * * * * */10")
@schedule.task(name="enqueue_due_sources", queue=SCHEDULER_QUEUE, pass_context=True,
               queueing_lock="enqueue_due_sources")  # fmt: skip
async def enqueue_due_sources(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every 10 s: one poll job per due source (at most one waiting per source), and a job
    for each waiting entry whose time has come and that has none (its poll's worker died
    before enqueueing it, or it was put back after a 429)."""
    from wirebrief.jobs.operations import entries_without_job

    rt = runtime(context)
    due = await asyncio.to_thread(source_store.due_source_ids, rt.db)
    polls = sum([await defer_poll(context.app, source_id) for source_id in due])
    waiting = await asyncio.to_thread(entries_without_job, rt.db, ENQUEUE_BATCH)
    return polls + sum([await defer_entry(context.app, pending_id) for pending_id in waiting])


@schedule.periodic(cron="* * * * * */5")
@schedule.task(name="retry_stalled_jobs", queue=SCHEDULER_QUEUE, pass_context=True,
               queueing_lock="retry_stalled_jobs")  # fmt: skip
async def retry_stalled_jobs(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every 5 s: jobs of a worker that stopped sending heartbeats (killed, lost) run again."""
    from wirebrief.jobs.operations import RetryResult, retry_stalled

    outcomes = await retry_stalled(context.app, runtime(context).settings)
    return sum(outcome.result == RetryResult.QUEUED for outcome in outcomes)


def _waiting_ids(rt: Runtime, source_id: int) -> list[int]:
    with rt.db.session() as session:
        return [pending.id for pending in inbox.due(session, source_id)]


def _queue_listed(rt: Runtime, source_id: int, entry: dict[str, Any]) -> int | None:
    """Put an entry from an old job's arguments in the inbox; its id there."""
    listed = FeedEntry.from_json(entry)
    with rt.db.session() as session:
        inbox.queue(session, source_id, [(listed.url, listed.to_json())])
        return inbox.find(session, source_id, listed.url)
