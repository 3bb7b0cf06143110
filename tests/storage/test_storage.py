"""Storage behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from wirebrief.settings import Settings
from wirebrief.storage import articles as article_store
from wirebrief.storage import copies, fetchlog
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, FetchAttempt, Source


def new_article(url: str = "https://news.example/a", **fields: object) -> Article:
    values: dict[str, object] = {
        "url": url,
        "title": "Title",
        "text": "Body text.",
        "html": "<p>Body text.</p>",
        "content_hash": "a" * 64,
        "published_at": datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=2))),
    }
    values.update(fields)
    return Article(**values)


def test_upgrade_twice_changes_nothing(any_db: Database) -> None:
    revision = any_db.current_revision()
    assert revision is not None and any_db.is_current()
    assert any_db.upgrade() == revision


def test_upsert_is_idempotent_and_updates_changed_fields(any_db: Database) -> None:
    with any_db.session() as session:
        assert article_store.upsert_article(session, new_article()).outcome == "new"
    with any_db.session() as session:
        assert article_store.upsert_article(session, new_article()).outcome == "unchanged"
    with any_db.session() as session:
        result = article_store.upsert_article(session, new_article(title="New title"))
        assert result.outcome == "updated"
    with any_db.session() as session:
        (stored,) = session.scalars(select(Article)).all()
        assert stored.title == "New title"
        assert stored.updated_at >= stored.fetched_at - timedelta(seconds=1)


def test_a_page_read_again_keeps_the_time_it_was_first_stored(any_db: Database) -> None:
    with any_db.session() as session:
        first = article_store.upsert_article(session, new_article()).article.fetched_at
    for title in ("Title", "New title"):  # unchanged, then changed
        with any_db.session() as session:
            stored = article_store.upsert_article(session, new_article(title=title)).article
            assert stored.fetched_at == first
    with any_db.session() as session:
        stored = session.scalars(select(Article)).one()
        assert stored.fetched_at == first and stored.updated_at > first


def test_times_come_back_aware_in_utc(any_db: Database) -> None:
    with any_db.session() as session:
        article_store.upsert_article(session, new_article())
    with any_db.session() as session:
        stored = session.scalars(select(Article)).one()
        assert stored.published_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
        assert stored.published_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(any_db: Database) -> None:
    with pytest.raises(Exception, match="naive"), any_db.session() as session:
        session.add(new_article(published_at=datetime(2026, 1, 1)))
        session.flush()


def test_listing_orders_by_publication_and_hides_removed(any_db: Database) -> None:
    base = datetime(2026, 11, 20, tzinfo=UTC)
    with any_db.session() as session:
        source = source_store.add_source(session, "https://feeds.example/a.xml", "A")
        for n in range(5):
            session.add(new_article(f"https://news.example/{n}", source_id=source.id,
                                    published_at=base + timedelta(hours=n)))  # fmt: skip
        session.add(new_article("https://news.example/hidden", hidden=True, published_at=base))
    with any_db.session() as session:
        listed = article_store.list_articles(session, limit=3)
        assert [a.url[-1] for a in listed] == ["4", "3", "2"]
        assert article_store.count_articles(session) == 5
        assert article_store.count_articles(session, source_id=source.id) == 5
        assert len(article_store.list_articles(session, limit=3, offset=3)) == 2


def test_removing_a_source_keeps_its_articles(any_db: Database) -> None:
    with any_db.session() as session:
        source = source_store.add_source(session, "https://feeds.example/a.xml", "A")
        session.add(new_article(source_id=source.id))
    with any_db.session() as session:
        source_store.remove_source(session, source.id)
    with any_db.session() as session:
        assert session.scalar(select(func.count(Source.id))) == 0
        (article,) = session.scalars(select(Article)).all()
        assert article.source_id is None


def test_due_sources_backoff_and_health(any_db: Database) -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    settings = Settings(min_poll_interval_s=300, max_poll_interval_s=86400)
    with any_db.session() as session:
        fresh = source_store.add_source(session, "https://feeds.example/new.xml", "new")
        failing = source_store.add_source(session, "https://feeds.example/bad.xml", "bad")
        assert failing.health == "new"
        for _ in range(3):
            source_store.record_failure(failing, error="HTTP 500", reason="http_error",
                                        settings=settings, now=now)  # fmt: skip
    assert source_store.due_source_ids(any_db, now=now) == [fresh.id]
    with any_db.session() as session:
        bad = source_store.get_source(session, failing.id)
        assert bad.consecutive_failures == 3 and bad.health == "unhealthy"
        assert bad.last_error_reason == "http_error"
        # 300 s doubled twice, ±20% jitter
        assert timedelta(seconds=960) <= bad.next_poll_at - now <= timedelta(seconds=1440)
        source_store.record_success(bad, status="ok", settings=settings, now=now,
                                    published=[now - timedelta(hours=h) for h in range(48)])  # fmt: skip
        assert bad.health == "healthy" and bad.consecutive_failures == 0
        assert bad.last_success_at == now
        assert bad.items_per_day == pytest.approx(48 / 7)
        assert bad.next_poll_at - now == timedelta(seconds=86400 / (48 / 7))


def test_sqlite_runs_in_wal_mode(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_repost_candidates_read_a_crowded_bucket_for_its_newest_holders_only(
    any_db: Database,
) -> None:
    crowd = copies.HOLDERS_PER_BUCKET + 30  # pages sharing one boilerplate bucket
    with any_db.session() as session:
        stored = []
        for n in range(crowd + 2):
            row = new_article(f"https://news.example/{n}", content_hash=f"{n:064d}")
            session.add(row)
            session.flush()
            stored.append(row)
            copies.save_buckets(session, row.id, [7, 1000 + n, 2000 + n, 3000 + n])
        first, origin, copy = stored[0], stored[-2], stored[-1]
        copy.duplicate_of = origin.id
        # A newcomer sharing the crowded bucket with everyone, and three buckets with the
        # first page and with the copy: the first page sits below the bucket's newest holders.
        newcomer = new_article("https://news.example/new", content_hash="f" * 64)
        session.add(newcomer)
        session.flush()
        copies.save_buckets(session, newcomer.id, [7, 1000, 2000, 3000 + crowd + 1])
        found = copies.candidates(session, [7, 1000, 2000, 3000 + crowd + 1],
                                  exclude_id=newcomer.id, min_shared=2)  # fmt: skip
        assert found == [(first.id, first.id), (copy.id, origin.id)]
        found = copies.candidates(session, [7, 9999], exclude_id=newcomer.id, min_shared=1)
        assert len(found) == 20  # the crowded bucket's newest holders, at most ``limit``
        assert (
            min(article_id for article_id, _ in found) > stored[-copies.HOLDERS_PER_BUCKET - 2].id
        )


def test_article_columns_are_listed_once_each_by_where_they_come_from() -> None:
    listed = ["url", *article_store.PAGE_COLUMNS, *article_store.LISTING_COLUMNS]
    bookkeeping = {"id", "fetched_at", "updated_at", "story_id", "duplicate_of", "hidden"}
    assert len(listed) == len(set(listed))
    assert set(listed) | bookkeeping == set(Article.__table__.columns.keys())
    assert set(article_store.UPDATABLE_COLUMNS) == set(listed) - {"url"}


def test_fetch_log_keeps_30_days_per_source_and_goes_with_its_source(any_db: Database) -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    with any_db.session() as session:
        kept_source = source_store.add_source(session, "https://feeds.example/a.xml", "a")
        other = source_store.add_source(session, "https://feeds.example/b.xml", "b")
        for source, days in ((kept_source, 31), (kept_source, 29), (other, 31)):
            fetchlog.record_attempt(session, FetchAttempt(
                source_id=source.id, url=source.url, kind="feed", outcome="ok",
                started_at=now - timedelta(days=days),
            ))  # fmt: skip
        session.flush()
        fetchlog.prune_attempts(session, kept_source.id, now=now)
        ages = [now - a.started_at for a in fetchlog.recent_attempts(session, kept_source.id)]
        assert ages == [timedelta(days=29)]
        assert len(fetchlog.recent_attempts(session, other.id)) == 1  # pruned at its own poll
        source_store.remove_source(session, other.id)
    with any_db.session() as session:
        assert session.scalar(select(func.count()).select_from(FetchAttempt)) == 1
