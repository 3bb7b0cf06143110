"""Poll due sources forever (``wirebrief run``): one process, no queue service.

Each source with something to do (due for a poll, or entries waiting whose time has come)
gets a task of its own as soon as it has, so a slow or rate-limited host never holds up
another source's poll. Setting ``stop`` cancels what is in flight (entries not stored stay
in the inbox) and stops the page-stage pool.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from contextlib import suppress
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import func, select

from wirebrief.alerts.runner import alert_loop
from wirebrief.pipeline import Ingestor, SourceReport, work_source_ids
from wirebrief.settings import Settings
from wirebrief.storage import inbox
from wirebrief.storage.db import Database
from wirebrief.storage.models import Source
from wirebrief.times import as_utc, utcnow

log = logging.getLogger(__name__)

MIN_SLEEP_S = 5.0
MAX_SLEEP_S = 300.0


def run_scheduler(db: Database, settings: Settings, stop: threading.Event) -> None:
    """Ingest sources as they come due, until ``stop`` is set."""
    asyncio.run(_schedule(db, settings, stop))


async def _schedule(db: Database, settings: Settings, stop: threading.Event) -> None:
    # Search alerts run beside the polls, never inside them: no webhook can delay a poll.
    alerts = asyncio.create_task(alert_loop(db, settings, stop))
    stopping = asyncio.ensure_future(asyncio.to_thread(stop.wait))
    running: dict[int, asyncio.Task[None]] = {}
    failing: dict[int, float] = {}  # source id → when to try it again after a bug
    try:
        async with Ingestor(db, settings) as ingestor:  # one process pool for the whole run
            while not stop.is_set():
                try:
                    for source_id in await asyncio.to_thread(work_source_ids, db):
                        if source_id in running or failing.get(source_id, 0) > time.monotonic():
                            continue
                        task = asyncio.create_task(_one(ingestor, source_id, failing))
                        task.add_done_callback(partial(_forget, running, source_id))
                        running[source_id] = task
                    wait = await asyncio.to_thread(seconds_until_next_poll, db)
                except Exception:  # a bug in one round must not end the scheduler
                    log.exception("scheduler round failed; retrying after %s s", MAX_SLEEP_S)
                    wait = MAX_SLEEP_S
                # Until the next poll is due, a source finishes (it may have more to do), or
                # stop is set.
                await asyncio.wait(
                    [stopping, *running.values()], timeout=wait,
                    return_when=asyncio.FIRST_COMPLETED,
                )  # fmt: skip
            for task in running.values():
                task.cancel()
            await asyncio.gather(*running.values(), return_exceptions=True)
    finally:
        stop.set()
        alerts.cancel()
        with suppress(asyncio.CancelledError):
            await alerts
        await stopping


async def _one(ingestor: Ingestor, source_id: int, failing: dict[int, float]) -> None:
    try:
        (report,) = await ingestor.ingest_sources([source_id])
    except Exception:  # one source's bug must not end the scheduler, nor spin it
        log.exception("ingesting failed source_id=%s; trying again in %s s", source_id,
                      MAX_SLEEP_S)  # fmt: skip
        failing[source_id] = time.monotonic() + MAX_SLEEP_S
        return
    _log(report)


def _forget(running: dict[int, asyncio.Task[None]], source_id: int, _: object) -> None:
    running.pop(source_id, None)


def _log(report: SourceReport) -> None:
    log.info(
        "polled source_id=%s status=%s new=%s updated=%s deferred=%s failed=%s",
        report.source_id, report.status, report.new, report.updated, len(report.deferred),
        len(report.failed),
    )  # fmt: skip


def seconds_until_next_poll(db: Database) -> float:
    """Seconds until the earliest scheduled poll or waiting entry, bounded to
    [MIN_SLEEP_S, MAX_SLEEP_S]."""
    with db.session() as session:
        next_poll = session.scalar(
            select(func.min(Source.next_poll_at)).where(
                Source.enabled.is_(True), Source.blocked.is_(False)
            )
        )
        next_entry = inbox.next_due_at(session)
    times: list[datetime] = [as_utc(t) for t in (next_poll, next_entry) if t is not None]
    if not times:
        return MAX_SLEEP_S
    wait = (min(times) - utcnow()) / timedelta(seconds=1)
    return max(MIN_SLEEP_S, min(MAX_SLEEP_S, wait))
