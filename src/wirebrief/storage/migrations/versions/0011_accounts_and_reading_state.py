"""accounts, subscriptions and folders, reading state and labels; the admin password becomes
an account

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 17:44:53.234073

The single admin password (``admin_credentials``) becomes the account ``admin`` with the
admin role and the same argon2 hash, so the same password signs in; it follows every source
the installation follows, and articles published more than a week before the upgrade count
as read for it (nobody starts with a year of unread history). Admin sessions end: the
admin signs in again, by name. Downgrading keeps the first admin account's password.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with storage/users.py: NEW_ACCOUNT_UNREAD_DAYS.
UNREAD_DAYS = 7


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("api_password_hash", sa.String(length=200), nullable=True),
        sa.Column("fever_key_hash", sa.String(length=64), nullable=True),
        sa.Column("read_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("fever_key_hash"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "folders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "name"),
    )
    op.create_table(
        "user_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_expires_at"), ["expires_at"])
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"])

    op.create_table(
        "reading_states",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("read", sa.Boolean(), nullable=True),
        sa.Column("starred", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("read_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("starred_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "article_id"),
    )
    with op.batch_alter_table("reading_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reading_states_article_id"), ["article_id"])

    op.create_table(
        "reading_labels",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "article_id", "label"),
    )
    with op.batch_alter_table("reading_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reading_labels_article_id"), ["article_id"])

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("folder_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["folder_id"], ["folders.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "source_id"),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscriptions_folder_id"), ["folder_id"])
        batch_op.create_index(batch_op.f("ix_subscriptions_source_id"), ["source_id"])

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category", sa.String(length=200), nullable=True))

    _admin_password_becomes_an_account()

    op.drop_table("admin_credentials")
    with op.batch_alter_table("admin_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_sessions_expires_at"))
    op.drop_table("admin_sessions")


def _admin_password_becomes_an_account() -> None:
    connection = op.get_bind()
    password_hash = connection.execute(
        sa.text("SELECT password_hash FROM admin_credentials ORDER BY id LIMIT 1")
    ).scalar()
    if password_hash is None:
        return
    now = datetime.now(UTC)
    users = sa.table(
        "users", *(sa.column(name) for name in (
            "name", "role", "password_hash", "read_before", "created_at", "updated_at")),
    )  # fmt: skip
    connection.execute(
        users.insert().values(
            name="admin", role="admin", password_hash=password_hash,
            read_before=_stored(connection, now - timedelta(days=UNREAD_DAYS)),
            created_at=_stored(connection, now), updated_at=_stored(connection, now),
        )
    )  # fmt: skip
    connection.execute(
        sa.text(
            "INSERT INTO subscriptions (user_id, source_id, created_at) "
            "SELECT users.id, sources.id, :now FROM users, sources WHERE users.name = 'admin'"
        ),
        {"now": _stored(connection, now)},
    )


def _stored(connection: sa.Connection, value: datetime) -> datetime:
    """As storage/types.py's UTCDateTime writes it: naive UTC on SQLite, aware elsewhere."""
    return value.replace(tzinfo=None) if connection.dialect.name == "sqlite" else value


def downgrade() -> None:
    op.create_table(
        "admin_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("admin_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_sessions_expires_at"), ["expires_at"])
    op.create_table(
        "admin_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute(
        "INSERT INTO admin_credentials (password_hash, updated_at) "
        "SELECT password_hash, updated_at FROM users WHERE role = 'admin' ORDER BY id LIMIT 1"
    )

    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("category")
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscriptions_source_id"))
        batch_op.drop_index(batch_op.f("ix_subscriptions_folder_id"))
    op.drop_table("subscriptions")
    with op.batch_alter_table("reading_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reading_labels_article_id"))
    op.drop_table("reading_labels")
    with op.batch_alter_table("reading_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reading_states_article_id"))
    op.drop_table("reading_states")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))
        batch_op.drop_index(batch_op.f("ix_user_sessions_expires_at"))
    op.drop_table("user_sessions")
    op.drop_table("folders")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_user_id"))
    op.drop_table("api_tokens")
    op.drop_table("users")
