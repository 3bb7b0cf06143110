"""Migrations build exactly the schema the models describe, both ways, on both engines, and
keep the data in it."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, select, text

from wirebrief.storage import ratelimits, users
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database, _alembic_config
from wirebrief.storage.models import Article


def test_migrations_match_models_and_downgrade_cleanly(any_db: Database) -> None:
    config = _alembic_config(any_db.url)
    command.check(config)  # raises when models and migrations disagree
    command.downgrade(config, "base")
    assert any_db.current_revision() is None
    command.upgrade(config, "head")
    assert any_db.is_current()


def test_dropping_article_entities_keeps_every_article(any_db: Database) -> None:
    config = _alembic_config(any_db.url)
    command.downgrade(config, "0012")
    with any_db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (url, title, text, html, reading_minutes, content_hash,"
                " fetched_at, updated_at, hidden, entities) VALUES ('https://wire.example/a',"
                " 'Port reopens', 'The port reopened on Monday.', '<p>The port reopened.</p>',"
                " 1, 'abc', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false, NULL)"
            )
        )
        article_id = connection.scalar(text("SELECT id FROM articles"))
        connection.execute(
            text(
                "INSERT INTO article_sightings (article_id, url, seen_at)"
                " VALUES (:id, 'https://wire.example/a', CURRENT_TIMESTAMP)"
            ),
            {"id": article_id},
        )
    command.upgrade(config, "0013")
    with any_db.engine.connect() as connection:
        assert "entities" not in {c["name"] for c in inspect(connection).get_columns("articles")}
        rows = connection.execute(text("SELECT id, url, title FROM articles")).all()
        assert [tuple(row) for row in rows] == [
            (article_id, "https://wire.example/a", "Port reopens")
        ]
        assert connection.scalar(text("SELECT count(*) FROM article_sightings")) == 1
    command.downgrade(config, "0012")
    with any_db.engine.connect() as connection:
        assert connection.scalar(text("SELECT title FROM articles")) == "Port reopens"


def test_exact_copies_kept_as_sightings_become_rows_of_their_own(any_db: Database) -> None:
    """0014: a sighting under another URL becomes an article pointing at the origin, with
    the shared text; it and the row it was collapsed into are read again at the next poll."""
    config = _alembic_config(any_db.url)
    command.downgrade(config, "0013")
    at = "2026-11-20 10:00:00+00:00"
    with any_db.session() as session:
        session.execute(
            text(
                "INSERT INTO sources (id, url, name, kind, is_demo, enabled, blocked, fetch_pages,"
                " consecutive_failures, created_at) VALUES (1, 'https://a.example/feed', 'A',"
                " 'feed', false, true, false, true, 0, :at), (2, 'https://b.example/feed', 'B',"
                " 'feed', false, true, false, true, 0, :at)"
            ),
            {"at": at},
        )
        session.execute(
            text(
                "INSERT INTO stories (id, headline, first_seen_at, last_seen_at, updated_at,"
                " article_count, source_count) VALUES (7, 'Fares rise', :at, :at, :at, 3, 2)"
            ),
            {"at": at},
        )
        ids: dict[str, int] = {}
        for url in ("https://a.example/fares", "https://c.example/trimmed"):
            session.execute(
                text(
                    "INSERT INTO articles (source_id, url, canonical_url, title, lang,"
                    " published_at, fetched_at, updated_at, text, html, reading_minutes,"
                    " content_hash, entry_fingerprint, story_id, duplicate_of, hidden)"
                    " VALUES (1, :url, :url, 'Fares rise', 'en', :at, :at, :at,"
                    " 'Fares rise by eight percent.', '<p>Fares rise.</p>', 1, :hash, 'fp', 7,"
                    " :duplicate_of, false)"
                ),
                {"url": url, "at": at, "hash": str(len(ids)) * 64,
                 "duplicate_of": ids.get("https://a.example/fares")},
            )  # fmt: skip
            ids[url] = session.scalar(text("SELECT id FROM articles WHERE url = :u"), {"u": url})
        origin, trimmed = ids.values()
        session.execute(
            text(
                "INSERT INTO article_sightings (article_id, url, source_id, site_name,"
                " published_at, seen_at) VALUES (:o, 'https://a.example/fares', 1, 'A', :at, :at),"
                " (:o, 'https://b.example/copy', 2, 'B', '2026-11-20 12:00:00+00:00', :at),"
                " (:t, 'https://c.example/trimmed', 1, 'C', :at, :at)"
            ),
            {"at": at, "o": origin, "t": trimmed},
        )

    command.upgrade(config, "head")

    with any_db.session() as session:
        rows = {a.url: a for a in session.scalars(select(Article))}
        copy = rows["https://b.example/copy"]
        origin = rows["https://a.example/fares"].id
        assert (copy.duplicate_of, copy.source_id, copy.site_name, copy.story_id) == (
            origin, 2, "B", 7,
        )  # fmt: skip
        assert copy.published_at == datetime(2026, 11, 20, 12, tzinfo=UTC)
        assert (copy.text, copy.content_hash, copy.hidden) == (
            "Fares rise by eight percent.", "0" * 64, False,
        )  # fmt: skip
        assert copy.entry_fingerprint is None  # read again at the next poll
        assert rows["https://a.example/fares"].entry_fingerprint is None  # had a copy in it
        assert rows["https://c.example/trimmed"].entry_fingerprint == "fp"
        assert not inspect(session.get_bind()).has_table("article_sightings")

    command.downgrade(config, "0013")
    with any_db.session() as session:
        sightings = session.execute(text("SELECT url, article_id FROM article_sightings"))
        assert len(dict(sightings.all())) == 3  # every row its own sighting
    command.upgrade(config, "head")


def test_story_tldr_stale_mark_keeps_every_story(any_db: Database) -> None:
    """0015 from 0014 with a story in it: the story and its TLDR stay, marked current."""
    config = _alembic_config(any_db.url)
    command.downgrade(config, "0014")
    with any_db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO stories (id, headline, first_seen_at, last_seen_at, updated_at,"
                " article_count, source_count, tldr_headline, tldr_method) VALUES (7,"
                " 'Port reopens', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                " 2, 2, 'The port reopened.', 'extractive')"
            )
        )
    command.upgrade(config, "0015")
    with any_db.engine.connect() as connection:
        row = connection.execute(
            text("SELECT headline, tldr_headline, tldr_stale_since FROM stories WHERE id = 7")
        ).one()
        assert tuple(row) == ("Port reopens", "The port reopened.", None)
    command.downgrade(config, "0014")
    with any_db.engine.connect() as connection:
        assert connection.scalar(text("SELECT tldr_headline FROM stories")) == "The port reopened."
    command.upgrade(config, "head")


def test_data_version_comes_with_its_triggers_over_existing_rows(any_db: Database) -> None:
    config = _alembic_config(any_db.url)
    command.downgrade(config, "0015")
    with any_db.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO articles (url, title, text, html, reading_minutes, content_hash,"
                " fetched_at, updated_at, hidden) VALUES ('https://wire.example/a',"
                " 'Port reopens', 'The port reopened on Monday.', '<p>The port reopened.</p>',"
                " 1, 'abc', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false)"
            )
        )
    command.upgrade(config, "0016")
    read = "SELECT version FROM data_version WHERE id = 1"
    with any_db.engine.begin() as connection:
        assert connection.scalar(text("SELECT title FROM articles")) == "Port reopens"
        assert connection.scalar(text(read)) == 1
        connection.execute(text("UPDATE articles SET hidden = true"))
    with any_db.engine.connect() as connection:
        assert connection.scalar(text(read)) == 2  # a removal moves it
    command.downgrade(config, "0015")
    with any_db.engine.begin() as connection:
        connection.execute(text("UPDATE articles SET hidden = false"))  # no trigger left
        assert "data_version" not in inspect(connection).get_table_names()
    command.upgrade(config, "head")


def test_rate_limit_counters_arrive_without_touching_data(any_db: Database) -> None:
    """0018 on a database that holds sources, articles and an account (SQLite, PostgreSQL)."""
    config = _alembic_config(any_db.url)
    command.downgrade(config, "0017")
    assert "rate_limit_counters" not in _tables(any_db)
    with any_db.session() as session:
        source = source_store.add_source(session, "https://wire.example/feed.xml", "Wire")
        session.add(Article(source_id=source.id, url="https://wire.example/a", title="Kept",
                            text="Kept text.", html="<p>Kept text.</p>", content_hash="k" * 64))  # fmt: skip
        users.add_user(session, "admin", "kept password", role=users.Role.ADMIN)
    command.upgrade(config, "head")
    with any_db.session() as session:
        assert session.execute(text("SELECT title FROM articles")).scalars().all() == ["Kept"]
        assert users.authenticate(session, "admin", "kept password") is not None
        assert ratelimits.add_hit(session, "signin", "192.0.2.1 admin", 60)[0] == 1
    command.downgrade(config, "0017")
    assert "rate_limit_counters" not in _tables(any_db)
    with any_db.session() as session:
        assert session.execute(text("SELECT url FROM sources")).scalars().all() == [
            "https://wire.example/feed.xml"
        ]
    command.upgrade(config, "head")


def _tables(db: Database) -> set[str]:
    with db.engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def test_0019_adds_the_inbox_and_has_every_listing_read_in_full(any_db: Database) -> None:
    """From 0018 with data: sources, their validators and articles survive; the validators
    are dropped once, so entries an older version lost are listed again and stored."""
    config = _alembic_config(any_db.url)
    command.downgrade(config, "0018")
    with any_db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO sources (id, url, name, kind, is_demo, enabled, blocked, fetch_pages, "
            "consecutive_failures, etag, last_modified, created_at) VALUES (1, "
            "'https://wire.example/feed.xml', 'Wire', 'feed', false, true, false, true, 0, "
            "'\"v1\"', 'Mon, 07 Dec 2026 08:00:00 GMT', '2026-12-07 08:00:00')"))  # fmt: skip
        connection.execute(text(
            "INSERT INTO articles (id, source_id, url, title, text, html, reading_minutes, "
            "content_hash, fetched_at, updated_at, hidden) VALUES (1, 1, "
            "'https://wire.example/a', 'A', 'Text.', '<p>Text.</p>', 1, 'h', "
            "'2026-12-07 08:00:00', '2026-12-07 08:00:00', false)"))  # fmt: skip
    command.upgrade(config, "0019")
    with any_db.engine.begin() as connection:
        assert connection.execute(text("SELECT etag, last_modified FROM sources")).one() == (
            None, None)  # fmt: skip
        assert connection.scalar(text("SELECT title FROM articles WHERE id = 1")) == "A"
        connection.execute(text(
            "INSERT INTO pending_entries (source_id, url, entry, queued_at, not_before, "
            "attempts) VALUES (1, 'https://wire.example/b', '{\"url\": \"b\"}', "
            "'2026-12-07 08:00:00', '2026-12-07 08:00:00', 0)"))  # fmt: skip
        connection.execute(text("UPDATE sources SET etag = '\"v2\"'"))
    command.downgrade(config, "0018")
    with any_db.engine.begin() as connection:
        assert connection.scalar(text("SELECT etag FROM sources")) is None
        assert connection.scalar(text("SELECT count(*) FROM articles")) == 1
    command.upgrade(config, "head")
    assert any_db.is_current()
