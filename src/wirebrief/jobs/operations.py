"""Operating the queue: stuck and failed jobs, retrying them, and figures for /metrics."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

from wirebrief.metrics import gauge_lines
from wirebrief.settings import Settings
from wirebrief.storage.db import Database

if TYPE_CHECKING:  # the queue is an optional extra; the web process must not need it
    import procrastinate

log = logging.getLogger(__name__)

# How far back /metrics looks for job latency and failures.
METRICS_WINDOW_S = 3600


@dataclass(frozen=True)
class JobRow:
    """A job an operator should look at."""

    id: int
    task: str
    queue: str
    status: str  # failed, or stuck: doing on a worker that stopped sending heartbeats
    attempts: int
    args: dict
    scheduled_at: datetime | None


class RetryResult(StrEnum):
    """What putting a job back in the queue did."""

    QUEUED = "queued"
    SUPERSEDED = "superseded"  # a newer job with its queueing lock waits and does the work
    FAILED = "failed"  # the database refused; the job is as it was


@dataclass(frozen=True)
class Retried:
    """What putting one job back in the queue did, and why."""

    job_id: int
    result: RetryResult
    note: str


async def retry_stalled(app: procrastinate.App, settings: Settings) -> list[Retried]:
    """Put back in the queue the jobs of workers silent for ``stalled_job_after_s``, one by
    one (a job that cannot be put back never stops the others), then forget those workers."""
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.stalled_job_after_s
    )
    outcomes = [await put_back(app, job) for job in stalled]
    # Their jobs keep counting as stalled (a job without a worker is one); the rows of dead
    # workers would otherwise stay in procrastinate_workers, and in /metrics, for ever.
    await app.job_manager.prune_stalled_workers(settings.stalled_job_after_s)
    return outcomes


async def put_back(app: procrastinate.App, job: procrastinate.jobs.Job) -> Retried:
    """Queue a stuck or failed job again. When a newer job with its queueing lock already
    waits (the scheduler queued a fresh poll of the source meanwhile), that one does the
    work: a stuck job is closed as aborted instead, which also frees its per-source lock."""
    from procrastinate.exceptions import ConnectorException, UniqueViolation
    from procrastinate.jobs import Status

    job_id = job.id or 0
    try:
        await app.job_manager.retry_job(job)
    except UniqueViolation:
        note = f"a newer job with its lock ({job.queueing_lock}) is already queued"
        if job.status == Status.DOING.value:
            await app.job_manager.finish_job_by_id_async(job_id, Status.ABORTED, delete_job=False)
            note += "; closed as aborted"
        log.info("job not retried job_id=%s task=%s: %s", job_id, job.task_name, note)
        return Retried(job_id, RetryResult.SUPERSEDED, note)
    except ConnectorException as exc:
        why = str(exc.__cause__ or exc).splitlines()[0]
        log.warning("job not retried job_id=%s task=%s: %s", job_id, job.task_name, why)
        return Retried(job_id, RetryResult.FAILED, f"could not be queued again: {why}")
    log.info("job queued again job_id=%s task=%s", job_id, job.task_name)
    return Retried(job_id, RetryResult.QUEUED, "queued again")


async def problem_jobs(app: procrastinate.App, settings: Settings) -> list[JobRow]:
    """Stuck jobs (their worker stopped sending heartbeats), then failed ones, newest first."""
    stalled = await app.job_manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.stalled_job_after_s
    )
    failed = await app.job_manager.list_jobs_async(status="failed")
    rows = [_row(job, "stuck") for job in stalled]
    rows += sorted((_row(job, "failed") for job in failed), key=lambda r: -r.id)
    return rows


async def retry_jobs(app: procrastinate.App, job_ids: list[int]) -> list[Retried]:
    """Run these jobs again now (failed or stuck ones)."""
    return [
        await put_back(app, job)
        for job_id in job_ids
        for job in await app.job_manager.list_jobs_async(id=job_id)
    ]


def entries_without_job(db: Database, limit: int) -> list[int]:
    """Waiting entries whose time has come and that have no job waiting or running."""
    # An entry job's lock and queueing lock are both 'entry:<id>' (tasks.entry_lock); each
    # test below is served by one of procrastinate's unique partial indexes.
    query = text(
        "SELECT p.id FROM pending_entries AS p JOIN sources AS s ON s.id = p.source_id "
        "WHERE p.not_before <= now() AND s.enabled AND NOT s.blocked"
        " AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS j"
        "  WHERE j.queueing_lock = 'entry:' || p.id AND j.status = 'todo')"
        " AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs AS j"
        "  WHERE j.lock = 'entry:' || p.id AND j.status = 'doing')"
        " ORDER BY p.id LIMIT :limit"
    )
    with db.session() as session:
        return list(session.scalars(query, {"limit": limit}))


@dataclass(frozen=True)
class QueueMetrics:
    """Queue figures for /metrics: depth per queue and status, latency, failures."""

    depth: dict[tuple[str, str], int]  # (queue, status) → jobs
    latency_p50_s: float | None  # enqueued (or scheduled) → started, last hour
    latency_p95_s: float | None
    failed_last_hour: int
    stalled_workers: int


def queue_metrics(session: Session, settings: Settings) -> QueueMetrics | None:
    """Queue figures from the database, or None when it has no job queue (SQLite, or
    PostgreSQL where no worker has started yet)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    if session.scalar(text("SELECT to_regclass('procrastinate_jobs')")) is None:
        return None
    depth = {
        (queue, status): count
        for queue, status, count in session.execute(
            text(
                "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs "
                "WHERE status IN ('todo', 'doing', 'failed') GROUP BY queue_name, status"
            )
        )
    }
    window = {"window": METRICS_WINDOW_S}
    p50, p95 = session.execute(
        text(
            "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY wait), "
            "percentile_cont(0.95) WITHIN GROUP (ORDER BY wait) FROM ("
            " SELECT extract(epoch FROM s.at - greatest(d.at, coalesce(j.scheduled_at, d.at)))"
            "   AS wait"
            " FROM procrastinate_events AS s"
            " JOIN procrastinate_events AS d ON d.job_id = s.job_id AND d.type = 'deferred'"
            " JOIN procrastinate_jobs AS j ON j.id = s.job_id"
            " WHERE s.type = 'started' AND s.at > now() - make_interval(secs => :window)"
            ") AS waits"
        ),
        window,
    ).one()
    failed = session.scalar(
        text(
            "SELECT count(*) FROM procrastinate_events WHERE type = 'failed' "
            "AND at > now() - make_interval(secs => :window)"
        ),
        window,
    )
    stalled = session.scalar(
        text(
            "SELECT count(*) FROM procrastinate_workers "
            "WHERE last_heartbeat < now() - make_interval(secs => :after)"
        ),
        {"after": settings.stalled_job_after_s},
    )
    return QueueMetrics(depth, p50, p95, failed or 0, stalled or 0)


def prometheus_lines(metrics: QueueMetrics | None) -> list[str]:
    """The queue figures in the Prometheus text format (nothing without a queue)."""
    if metrics is None:
        return []
    lines = [
        "# HELP wirebrief_jobs Jobs in the queue, by queue and status.",
        "# TYPE wirebrief_jobs gauge",
    ]
    lines += [
        f'wirebrief_jobs{{queue="{queue}",status="{status}"}} {count}'
        for (queue, status), count in sorted(metrics.depth.items())
    ]
    gauges = (
        ("wirebrief_job_latency_p50_seconds", "Median wait, enqueued to started, last hour.",
         metrics.latency_p50_s),
        ("wirebrief_job_latency_p95_seconds", "95th percentile wait, last hour.",
         metrics.latency_p95_s),
        ("wirebrief_jobs_failed_last_hour", "Jobs that failed in the last hour.",
         metrics.failed_last_hour),
        ("wirebrief_workers_stalled", "Workers that stopped sending heartbeats.",
         metrics.stalled_workers),
    )  # fmt: skip
    for name, help_text, value in gauges:
        lines += gauge_lines(name, help_text, value)
    return lines


def _row(job: procrastinate.jobs.Job, status: str) -> JobRow:
    return JobRow(job.id or 0, job.task_name, job.queue, status, job.attempts,
                  dict(job.task_kwargs), job.scheduled_at)  # fmt: skip
