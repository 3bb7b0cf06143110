"""Migration 0011 from the schema before it, with data: the admin password becomes the
account ``admin`` (same password), following every source; downgrading keeps it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from argon2 import PasswordHasher
from sqlalchemy import Connection, text

from wirebrief.storage import users
from wirebrief.storage.db import Database, _alembic_config
from wirebrief.storage.models import Subscription, User

PASSWORD = "correct horse battery"
BEFORE = "0010"


def naive_on_sqlite(connection: Connection, value: datetime) -> datetime:
    return value.replace(tzinfo=None) if connection.dialect.name == "sqlite" else value


def test_the_admin_password_becomes_an_admin_account(any_db: Database) -> None:
    config = _alembic_config(any_db.url)
    command.downgrade(config, BEFORE)
    password_hash = PasswordHasher().hash(PASSWORD)
    now = datetime.now(UTC)
    with any_db.engine.begin() as connection:
        connection.execute(
            text("INSERT INTO admin_credentials (password_hash, updated_at) VALUES (:h, :t)"),
            {"h": password_hash, "t": naive_on_sqlite(connection, now)},
        )
        connection.execute(
            text("INSERT INTO admin_sessions (token_hash, csrf_token, created_at, expires_at) "
                 "VALUES ('t', 'c', :t, :t)"),
            {"t": naive_on_sqlite(connection, now)},
        )  # fmt: skip
        for n in (1, 2):
            connection.execute(
                text("INSERT INTO sources (url, name, kind, is_demo, enabled, blocked, "
                     "fetch_pages, consecutive_failures, created_at) VALUES "
                     "(:u, :n, 'feed', false, true, false, true, 0, :t)"),
                {"u": f"https://s{n}.example/feed", "n": f"Source {n}",
                 "t": naive_on_sqlite(connection, now)},
            )  # fmt: skip

    command.upgrade(config, "head")

    with any_db.session() as session:
        admin = users.get_user(session, "admin")
        assert admin.role == users.Role.ADMIN
        assert users.authenticate(session, "admin", PASSWORD) is admin
        assert users.authenticate(session, "admin", "wrong password") is None
        followed = session.query(Subscription).filter_by(user_id=admin.id).all()
        assert len(followed) == 2 and all(s.folder_id is None for s in followed)
        # a week of history starts unread, not the whole archive
        assert abs(admin.read_before - (now - timedelta(days=7))) < timedelta(minutes=5)
    command.downgrade(config, BEFORE)
    with any_db.engine.connect() as connection:
        assert connection.execute(
            text("SELECT password_hash FROM admin_credentials")
        ).scalars().all() == [password_hash]
    command.upgrade(config, "head")


def test_an_installation_without_an_admin_password_gets_no_account(any_db: Database) -> None:
    config = _alembic_config(any_db.url)
    command.downgrade(config, BEFORE)
    command.upgrade(config, "head")
    with any_db.session() as session:
        assert session.query(User).count() == 0
