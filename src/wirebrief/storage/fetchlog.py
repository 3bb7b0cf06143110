"""The log of fetch attempts: what was fetched, how it went, how long it took.

Read by ``wirebrief sources attempts``; kept for ``KEEP_DAYS`` per source.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wirebrief.storage.models import FetchAttempt
from wirebrief.times import utcnow

KEEP_DAYS = 30


def record_attempt(session: Session, attempt: FetchAttempt) -> None:
    """Append one attempt."""
    session.add(attempt)


def recent_attempts(
    session: Session, source_id: int, limit: int = 50, *, failed_only: bool = False
) -> list[FetchAttempt]:
    """A source's newest attempts (its listing and its pages), newest first."""
    query = (
        select(FetchAttempt)
        .where(FetchAttempt.source_id == source_id)
        .order_by(FetchAttempt.id.desc())
        .limit(limit)
    )
    if failed_only:
        query = query.where(FetchAttempt.outcome == "failed")
    return list(session.scalars(query))


def prune_attempts(session: Session, source_id: int, now: datetime | None = None) -> None:
    """Forget a source's attempts older than ``KEEP_DAYS`` (run at each poll of it, so
    the log stays bounded and two workers never prune the same rows)."""
    cutoff = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    session.execute(
        delete(FetchAttempt).where(
            FetchAttempt.source_id == source_id, FetchAttempt.started_at < cutoff
        )
    )
