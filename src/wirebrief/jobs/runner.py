"""Run a worker or the scheduler until a signal stops it.

On SIGINT or SIGTERM a worker takes no new job, gives those running
:data:`JOBS_GRACE_S` to finish, then cancels the rest, which go back to the queue (their
retry), and stops its page-stage pool: it exits within 10 s (``stopping.py``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from contextlib import suppress

from wirebrief.alerts.runner import alert_loop
from wirebrief.fetch.hosts import HostLimiter, MemorySchedule
from wirebrief.jobs.app import SCHEDULER_QUEUE, WORK_QUEUES, Runtime, ensure_schema, make_app
from wirebrief.settings import Settings
from wirebrief.stopping import run_stoppable
from wirebrief.storage.db import Database
from wirebrief.storage.hostschedule import PostgresSchedule

log = logging.getLogger(__name__)

JOBS_GRACE_S = 4.0


def run_worker(settings: Settings, concurrency: int, queues: tuple[str, ...] = WORK_QUEUES,
               *, wait: bool = True) -> None:  # fmt: skip
    """Run jobs from ``queues``, ``concurrency`` at a time, on one event loop with one
    process pool for the page stages; with ``wait=False``, stop when the queue is empty."""
    run_stoppable(_work(settings, concurrency, queues, wait))


def run_scheduler(settings: Settings) -> None:
    """Enqueue due sources every 10 s and retry stalled jobs every 5 s, until stopped."""
    run_stoppable(_schedule(settings))


async def _work(settings: Settings, concurrency: int, queues: tuple[str, ...], wait: bool) -> None:
    from wirebrief.pipeline import Ingestor

    app = make_app(settings)
    db = Database(settings.database_url)
    # Every worker books request starts and cooldowns in the same table: politeness per
    # host holds for all of them together, not per process.
    limiter = HostLimiter.from_settings(settings, PostgresSchedule(db, MemorySchedule()))
    try:
        async with app.open_async(), Ingestor(db, settings, limiter) as ingestor:
            await ensure_schema(app)
            log.info("worker started queues=%s concurrency=%s", ",".join(queues), concurrency)
            await app.run_worker_async(
                queues=list(queues),
                concurrency=concurrency,
                wait=wait,
                additional_context={"wirebrief": Runtime(db, settings, ingestor)},
                update_heartbeat_interval=settings.worker_heartbeat_s,
                stalled_worker_timeout=settings.stalled_job_after_s,
                # Signals are ours: run_stoppable cancels the worker, which then stops as
                # procrastinate does on a signal, waiting at most this for running jobs.
                shutdown_graceful_timeout=JOBS_GRACE_S,
                install_signal_handlers=False,
            )
    finally:
        db.dispose()


async def _schedule(settings: Settings) -> None:
    app = make_app(settings, scheduler=True)
    db = Database(settings.database_url)
    try:
        async with app.open_async():
            await ensure_schema(app)
            log.info("scheduler started")
            stop = threading.Event()
            # Saved-search alerts and webhook retries run beside the schedule, as in `run`.
            alerts = asyncio.create_task(alert_loop(db, settings, stop))
            try:
                await app.run_worker_async(
                    queues=[SCHEDULER_QUEUE],
                    concurrency=1,
                    additional_context={"wirebrief": Runtime(db, settings)},
                    update_heartbeat_interval=settings.worker_heartbeat_s,
                    stalled_worker_timeout=settings.stalled_job_after_s,
                    shutdown_graceful_timeout=JOBS_GRACE_S,
                    install_signal_handlers=False,
                )
            finally:
                stop.set()
                alerts.cancel()  # a delivery cut short stays due, and is sent next time
                with suppress(asyncio.CancelledError):
                    await alerts
    finally:
        db.dispose()
