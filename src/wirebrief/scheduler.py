"""Poll due sources forever (``wirebrief run``): one process, no queue service."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import func, select

from wirebrief.fetch import Fetcher
from wirebrief.pipeline import ingest_due
from wirebrief.storage.db import Database
from wirebrief.storage.models import Source
from wirebrief.storage.types import utcnow

log = logging.getLogger(__name__)

MIN_SLEEP_S = 5.0
MAX_SLEEP_S = 300.0


def run_scheduler(db: Database, fetcher: Fetcher, stop: threading.Event) -> None:
    """Ingest due sources, sleep until the next one is due, repeat until ``stop`` is set."""
    while not stop.is_set():
        try:
            reports = ingest_due(db, fetcher)
        except Exception:  # a bug in one round must not end the scheduler
            log.exception("scheduler round failed; retrying after %s s", MAX_SLEEP_S)
            stop.wait(MAX_SLEEP_S)
            continue
        for report in reports:
            log.info(
                "polled source_id=%s status=%s new=%s updated=%s failed=%s",
                report.source_id, report.status, report.new, report.updated, len(report.failed),
            )  # fmt: skip
        stop.wait(seconds_until_next_poll(db))


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
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=utcnow().tzinfo)
    wait = (earliest - utcnow()) / timedelta(seconds=1)
    return max(MIN_SLEEP_S, min(MAX_SLEEP_S, wait))
