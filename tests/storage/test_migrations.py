"""Migrations build exactly the schema the models describe, both ways, on both engines."""

from __future__ import annotations

from alembic import command

from wirebrief.storage.db import Database, _alembic_config


def test_migrations_match_models_and_downgrade_cleanly(any_db: Database) -> None:
    config = _alembic_config(any_db.url)
    command.check(config)  # raises when models and migrations disagree
    command.downgrade(config, "base")
    assert any_db.current_revision() is None
    command.upgrade(config, "head")
    assert any_db.is_current()
