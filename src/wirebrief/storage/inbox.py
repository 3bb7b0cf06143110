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

from sqlalchemy import Table, case, delete, func, select, update
from sqlalchemy.orm import Session

from wirebrief.storage.dialect import insert_or_update
from wirebrief.storage.models import PendingEntry, Source
from wirebrief.times import as_utc, utcnow

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


@dataclass(frozen=True)
class Backlog:
    """How the inbox of followed sources stands (``wirebrief doctor``, ``/metrics``)."""

    due: int  # entries whose time has come
    deferred: int  # entries waiting out a Retry-After or a backoff
    longest_wait_s: float  # how long the entry due the longest has waited since its time came


@dataclass(frozen=True)
class Retried:
    """An entry that failed for a passing reason and waits to be tried again."""

    source_id: int
    url: str
    attempts: int
    not_before: datetime
    last_error: str


def backlog(session: Session, now: datetime | None = None) -> Backlog:
    """Count the waiting entries of followed sources, due and deferred, in one statement."""
    now = now or utcnow()
    is_due = PendingEntry.not_before <= now
    query = (
        select(
            func.count(PendingEntry.id),
            func.coalesce(func.sum(case((is_due, 1), else_=0)), 0),
            func.min(PendingEntry.not_before),
        )
        .join(Source, Source.id == PendingEntry.source_id)
        .where(*_followed())
    )
    total, due_now, earliest = session.execute(query).one()
    waited = (now - as_utc(earliest)).total_seconds() if earliest is not None else 0.0
    return Backlog(int(due_now), int(total - due_now), max(0.0, waited))


def retried(session: Session, limit: int = 5) -> list[Retried]:
    """Entries of followed sources that have failed at least once, most tries first."""
    query = (
        select(PendingEntry)
        .join(Source, Source.id == PendingEntry.source_id)
        .where(PendingEntry.attempts > 0, *_followed())
        .order_by(PendingEntry.attempts.desc(), PendingEntry.id)
        .limit(limit)
    )
    return [
        Retried(p.source_id, p.url, p.attempts, p.not_before, p.last_error or "")
        for p in session.scalars(query)
    ]


def waiting(session: Session) -> int:
    """Entries in the inbox (``wirebrief doctor``, tests)."""
    return session.scalar(select(func.count(PendingEntry.id))) or 0


def _followed() -> tuple:
    return (Source.enabled.is_(True), Source.blocked.is_(False))
