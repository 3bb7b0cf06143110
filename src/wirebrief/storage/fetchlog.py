"""The log of fetch attempts: what was fetched, how it went, how long it took."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wirebrief.storage.models import FetchAttempt


def record_attempt(session: Session, attempt: FetchAttempt) -> None:
    """Append one attempt."""
    session.add(attempt)


def recent_attempts(
    session: Session, source_id: int | None = None, limit: int = 50
) -> list[FetchAttempt]:
    """The newest attempts, optionally for one source."""
    query = select(FetchAttempt).order_by(FetchAttempt.id.desc()).limit(limit)
    if source_id is not None:
        query = query.where(FetchAttempt.source_id == source_id)
    return list(session.scalars(query))
