"""Migrations build exactly the schema the models describe, both ways, on both engines."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from wirebrief.storage.db import Database, _alembic_config


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
    command.upgrade(config, "head")
