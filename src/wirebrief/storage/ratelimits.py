"""Rate-limit counters in the database, shared by every web process: fixed windows per
(scope, key), counted with one atomic upsert, so two processes never lose a hit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from wirebrief.storage.models import RateLimitCounter
from wirebrief.storage.types import UTCDateTime
from wirebrief.times import utcnow

KEEP = timedelta(days=1)  # counters idle this long are deleted (longer than any window)


def hits(session: Session, scope: str, key: str, window_s: float) -> tuple[int, datetime | None]:
    """Hits of ``key`` in its current window and when that window started (0 and ``None``
    when it has none, or its window is over)."""
    row = session.execute(
        select(RateLimitCounter.hits, RateLimitCounter.window_started_at).where(
            RateLimitCounter.scope == scope, RateLimitCounter.key == key
        )
    ).first()
    if row is None or row.window_started_at <= utcnow() - timedelta(seconds=window_s):
        return 0, None
    return row.hits, row.window_started_at


def add_hit(session: Session, scope: str, key: str, window_s: float) -> tuple[int, datetime]:
    """Count one hit; the hits in the window now, and when the window started. A window
    that is over starts again with this hit."""
    now = utcnow()
    table = RateLimitCounter.__table__
    expired = table.c.window_started_at <= now - timedelta(seconds=window_s)
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(table).values(scope=scope, key=key, window_started_at=now, hits=1)
    upsert = insert.on_conflict_do_update(
        index_elements=["scope", "key"],
        set_={
            "hits": case((expired, 1), else_=table.c.hits + 1),
            "window_started_at": case(
                (expired, literal(now, UTCDateTime())), else_=table.c.window_started_at
            ),
        },
    ).returning(table.c.hits, table.c.window_started_at)
    row = session.execute(upsert).one()
    session.execute(delete(RateLimitCounter).where(RateLimitCounter.window_started_at < now - KEEP))
    return row.hits, row.window_started_at


def clear(session: Session, scope: str, key: str) -> None:
    """Forget the hits of ``key`` (e.g. after a successful sign-in)."""
    session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.scope == scope, RateLimitCounter.key == key)
    )
