"""The inbox: entries a poll listed that are not stored yet (``pending_entries``).

A poll queues its new and changed entries here in the same transaction that records the
listing's validators and next poll; the page fetches take them out in the transaction that
stores each one, or put them back with a later ``not_before`` when the failure passes
(a 429, a timeout, robots.txt unreachable). Whatever moment a process dies at, an entry is
either stored or still here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.orm import Session

from wirebrief.storage.dialect import insert_or_update
from wirebrief.storage.models import PendingEntry, Source
from wirebrief.times import utcnow

_pending = cast(Table, PendingEntry.__table__)  # mapped classes type it as a FromClause


@dataclass(frozen=True)
class Pending:
    """One entry waiting to be fetched and stored."""

    id: int
    source_id: int
    entry: dict[str, Any]
    attempts: int


def queue(session: Session, source_id: int, entries: Iterable[tuple[str, dict[str, Any]]]) -> None:
    """Queue ``(url, entry)`` pairs for a source; an entry already waiting takes the newer
    listing's data and keeps its place and backoff."""
    rows = [{"source_id": source_id, "url": url, "entry": entry, "queued_at": utcnow(),
             "not_before": utcnow(), "attempts": 0} for url, entry in entries]  # fmt: skip
    if rows:
        dialect = session.get_bind().dialect.name
        session.execute(insert_or_update(dialect, _pending, ["source_id", "url"], ["entry"]), rows)


def due(session: Session, source_id: int, now: datetime | None = None) -> list[Pending]:
    """The source's entries whose time has come, in the order they were listed."""
    query = (
        select(PendingEntry.id, PendingEntry.entry, PendingEntry.attempts)
        .where(PendingEntry.source_id == source_id, PendingEntry.not_before <= (now or utcnow()))
        .order_by(PendingEntry.id)
    )
    return [Pending(row.id, source_id, row.entry, row.attempts) for row in session.execute(query)]


def get(session: Session, pending_id: int) -> Pending | None:
    """One waiting entry, or None when it was stored (or dropped) meanwhile."""
    row = session.get(PendingEntry, pending_id)
    return Pending(row.id, row.source_id, row.entry, row.attempts) if row else None


def find(session: Session, source_id: int, url: str) -> int | None:
    """The id of the source's waiting entry for ``url``."""
    query = select(PendingEntry.id).where(
        PendingEntry.source_id == source_id, PendingEntry.url == url
    )
    return session.scalar(query)


def due_ids(session: Session, now: datetime | None = None) -> list[int]:
    """Every waiting entry whose time has come, of sources still followed (job queues)."""
    query = (
        select(PendingEntry.id)
        .join(Source, Source.id == PendingEntry.source_id)
        .where(PendingEntry.not_before <= (now or utcnow()), *_followed())
        .order_by(PendingEntry.id)
    )
    return list(session.scalars(query))


def sources_with_due(session: Session, now: datetime | None = None) -> list[int]:
    """Followed sources that have entries whose time has come."""
    query = (
        select(PendingEntry.source_id)
        .join(Source, Source.id == PendingEntry.source_id)
        .where(PendingEntry.not_before <= (now or utcnow()), *_followed())
        .distinct()
        .order_by(PendingEntry.source_id)
    )
    return list(session.scalars(query))


def next_due_at(session: Session) -> datetime | None:
    """When the earliest waiting entry of a followed source may be tried."""
    query = (
        select(func.min(PendingEntry.not_before))
        .join(Source, Source.id == PendingEntry.source_id)
        .where(*_followed())
    )
    return session.scalar(query)


def done(session: Session, pending_id: int) -> None:
    """The entry is stored, or failed for good: it leaves the inbox."""
    session.execute(delete(_pending).where(_pending.c.id == pending_id))


def defer(session: Session, pending_id: int, delay_s: float, error: str) -> None:
    """Try the entry again ``delay_s`` from now; count the attempt."""
    session.execute(
        update(_pending)
        .where(_pending.c.id == pending_id)
        .values(
            attempts=_pending.c.attempts + 1,
            not_before=utcnow() + timedelta(seconds=delay_s),
            last_error=error,
        )
    )


def waiting(session: Session) -> int:
    """Entries in the inbox (``wirebrief doctor``, tests)."""
    return session.scalar(select(func.count(PendingEntry.id))) or 0


def _followed() -> tuple:
    return (Source.enabled.is_(True), Source.blocked.is_(False))
