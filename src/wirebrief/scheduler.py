"""Poll due sources forever (``wirebrief run``): one process, no queue service."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import timedelta

from sqlalchemy import func, select

from wirebrief.alerts.runner import alert_loop
from wirebrief.pipeline import Ingestor
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Source
from wirebrief.times import as_utc, utcnow

log = logging.getLogger(__name__)

MIN_SLEEP_S = 5.0
MAX_SLEEP_S = 300.0


def run_scheduler(db: Database, settings: Settings, stop: threading.Event) -> None:
    """Ingest due sources, sleep until the next one is due, repeat until ``stop`` is set."""
    asyncio.run(_schedule(db, settings, stop))


async def _schedule(db: Database, settings: Settings, stop: threading.Event) -> None:
    # Search alerts run beside the polls, never inside them: no webhook can delay a poll.
    alerts = asyncio.create_task(alert_loop(db, settings, stop))
    async with Ingestor(db, settings) as ingestor:  # one process pool for the whole run
        while not stop.is_set():
            try:
                due = await asyncio.to_thread(source_store.due_source_ids, db)
                for report in await ingestor.ingest_sources(due):
                    log.info(
                        "polled source_id=%s status=%s new=%s updated=%s failed=%s",
                        report.source_id, report.status, report.new, report.updated,
                        len(report.failed),
                    )  # fmt: skip
                wait = seconds_until_next_poll(db)
            except Exception:  # a bug in one round must not end the scheduler
                log.exception("scheduler round failed; retrying after %s s", MAX_SLEEP_S)
                wait = MAX_SLEEP_S
            await asyncio.to_thread(stop.wait, wait)
    await alerts


def seconds_until_next_poll(db: Database) -> float:
    """Seconds until the earliest scheduled poll, bounded to [MIN_SLEEP_S, MAX_SLEEP_S]."""
    with db.session() as session:
        earliest = session.scalar(
            select(func.min(Source.next_poll_at)).where(
                Source.enabled.is_(True), Source.blocked.is_(False)
            )
        )
    if earliest is None:
        return MAX_SLEEP_S
    wait = (as_utc(earliest) - utcnow()) / timedelta(seconds=1)
    return max(MIN_SLEEP_S, min(MAX_SLEEP_S, wait))
