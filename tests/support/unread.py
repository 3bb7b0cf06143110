"""The invariant of the unread rows: what was kept change by change is what a rebuild from
the pages, subscriptions and marks writes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wirebrief.storage import reading
from wirebrief.storage.db import Database
from wirebrief.storage.models import UnreadFamily


def unread_rows(session: Session) -> list[tuple]:
    """Every account's unread rows, sorted."""
    return sorted(tuple(row) for row in session.execute(select(UnreadFamily.__table__)))


def assert_filed_as_rebuilt(db: Database, context: object = None) -> None:
    """The unread rows kept so far are those a rebuild from the truth writes (the rebuild
    is rolled back)."""
    with db.engine.connect() as connection:
        session = Session(connection)
        kept = unread_rows(session)
        reading.file_everything(session)
        rebuilt = unread_rows(session)
        session.rollback()
    assert kept == rebuilt, context
