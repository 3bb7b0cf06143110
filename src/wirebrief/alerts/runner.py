"""One alerts pass (queue new matches, then deliver), and the loop ``wirebrief run`` keeps.

The loop runs as its own task beside ingestion: database work happens in threads and
webhooks are awaited, so no receiver can hold up a poll, and no failure ends the loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from wirebrief.alerts.matching import queue_new_matches
from wirebrief.alerts.webhooks import DeliveryReport, deliver_due
from wirebrief.settings import Settings
from wirebrief.storage import alerts as alert_store
from wirebrief.storage.db import Database
from wirebrief.times import utcnow

log = logging.getLogger(__name__)

ALERT_INTERVAL_S = 30.0


@dataclass
class AlertReport:
    """What one alerts pass did."""

    queued: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def queue_matches(db: Database, now: datetime) -> int:
    """Queue deliveries for every saved search with webhooks; one bad search skips alone."""
    queued = 0
    with db.session() as session:
        for saved in alert_store.list_saved_searches(session):
            if not saved.webhooks:
                continue
            try:
                with session.begin_nested():
                    queued += queue_new_matches(session, saved, now)
            except Exception:  # e.g. a query an older version accepted: the others go on
                log.exception("saved search failed saved_search_id=%s", saved.id)
    return queued


async def run_alerts(db: Database, settings: Settings, now: datetime | None = None) -> AlertReport:
    """Queue the new matches of every saved search, then POST what is due."""
    now = now or utcnow()
    queued = await asyncio.to_thread(queue_matches, db, now)
    return AlertReport(queued, await deliver_due(db, settings, now))


async def alert_loop(
    db: Database, settings: Settings, stop: threading.Event, interval_s: float = ALERT_INTERVAL_S
) -> None:
    """Run an alerts pass every ``interval_s`` until ``stop`` is set."""
    while not stop.is_set():
        try:
            report = await run_alerts(db, settings)
            if report.queued or report.delivery.errors:
                log.info("alerts queued=%s delivered=%s retrying=%s failed=%s", report.queued,
                         report.delivery.delivered, report.delivery.retrying,
                         report.delivery.failed)  # fmt: skip
        except Exception:  # a bug in one pass must not end alerts, nor the scheduler
            log.exception("alerts pass failed; trying again in %s s", interval_s)
        await asyncio.to_thread(stop.wait, interval_s)
