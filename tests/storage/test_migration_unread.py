"""Migration 0017 from the schema before it, with data: every account's unread rows are
filed from its subscriptions and marks, as the running code keeps them; downgrading drops
them and nothing else."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from tests.support.articles import START
from tests.support.unread import assert_filed_as_rebuilt, unread_rows
from wirebrief.storage.db import Database, _alembic_config
from wirebrief.storage.models import (
    Article,
    ReadingState,
    Source,
    Subscription,
    User,
)

BEFORE = "0016"


def page(n: int, source_id: int, hours: float, **fields: object) -> dict:
    when = START + timedelta(hours=hours)
    return {"id": n, "url": f"https://s{source_id}.example/{n}", "title": f"Article {n}",
            "text": "t", "html": "<p>t</p>", "content_hash": f"{n:064x}", "source_id": source_id,
            "published_at": when, "fetched_at": when, "updated_at": when, "hidden": False,
            "reading_minutes": 1, **fields}  # fmt: skip


def test_unread_rows_are_filed_from_subscriptions_and_marks(any_db: Database) -> None:
    config = _alembic_config(any_db.url)
    command.downgrade(config, BEFORE)
    with any_db.engine.begin() as connection:  # core inserts: the schema is 0016's
        session = Session(connection)
        session.execute(insert(Source), [
            {"id": n, "url": f"https://s{n}.example/feed", "name": f"S{n}", "created_at": START}
            for n in (1, 2)
        ])  # fmt: skip
        session.execute(insert(Article), [
            page(1, 1, 1),  # read by ana through its copy
            page(2, 2, 2, duplicate_of=1),
            page(3, 1, 3),  # unread
            page(4, 1, -24 * 30),  # before ana's horizon: read
            page(5, 1, -24 * 31),  # before it, but kept unread
            page(6, 2, 4, hidden=True),  # removed
            page(7, 2, 5),
            page(8, 1, 5, duplicate_of=7),  # so source 1 carries 7's family too
        ])  # fmt: skip
        session.execute(insert(User), [
            {"id": 1, "name": "ana", "role": "reader", "password_hash": "-", "created_at": START,
             "updated_at": START, "read_before": START - timedelta(days=7)},
            {"id": 2, "name": "ben", "role": "reader", "password_hash": "-", "created_at": START,
             "updated_at": START},
        ])  # fmt: skip
        session.execute(insert(Subscription), [
            {"user_id": 1, "source_id": 1, "created_at": START},
            {"user_id": 1, "source_id": 2, "created_at": START},
            {"user_id": 2, "source_id": 1, "created_at": START},
        ])  # fmt: skip
        session.execute(insert(ReadingState), [
            {"user_id": 1, "article_id": 2, "read": True},
            {"user_id": 1, "article_id": 5, "read": False},
        ])  # fmt: skip
    command.upgrade(config, "0017")
    with any_db.session() as session:
        rows = unread_rows(session)
        family_time = {n: START + timedelta(hours=h) for n, h in
                       ((1, 1), (3, 3), (4, -24 * 30), (5, -24 * 31), (7, 5))}  # fmt: skip
        assert rows == sorted(
            [(1, n, 1, family_time[n]) for n in (3, 5, 7)]  # ana, from source 1
            + [(1, 7, 2, family_time[7])]  # and source 2: the family twice, once per source
            + [(2, n, 1, family_time[n]) for n in (1, 3, 4, 5, 7)]  # ben: no marks, no horizon
        )
    assert_filed_as_rebuilt(any_db)
    command.downgrade(config, BEFORE)
    with any_db.engine.connect() as connection:
        assert "unread_families" not in inspect(connection).get_table_names()
        assert connection.scalar(select(Article.title).where(Article.id == 3)) == "Article 3"
    command.upgrade(config, "head")
