"""search, related articles, saved searches and alerts

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 07:45:53.913577

On SQLite this also creates the FTS5 search index and fills it from the stored articles.
Its DDL lives in wirebrief.storage.searchindex (queries in wirebrief.search.sqlite_fts); the index
is outside the models, and migrations/env.py keeps it out of autogenerate. PostgreSQL's
full-text index will come with its own backend (issue 10).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from wirebrief.storage import searchindex

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("source_ids", sa.JSON(), nullable=True),
        sa.Column("asset_symbols", sa.JSON(), nullable=True),
        sa.Column("lang", sa.String(length=20), nullable=True),
        sa.Column("checked_up_to_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "alert_webhooks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("saved_search_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["saved_search_id"], ["saved_searches.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alert_webhooks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_webhooks_saved_search_id"), ["saved_search_id"], unique=False
        )

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("webhook_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_http_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["webhook_id"], ["alert_webhooks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("webhook_id", "article_id"),
    )
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_deliveries_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(
            "ix_alert_deliveries_due", ["status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "article_terms",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.BigInteger(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "term"),
    )
    with op.batch_alter_table("article_terms", schema=None) as batch_op:
        batch_op.create_index("ix_article_terms_term", ["term", "article_id"], unique=False)

    op.create_table(
        "related_articles",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["related_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "related_id"),
    )
    with op.batch_alter_table("related_articles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_related_articles_related_id"), ["related_id"], unique=False
        )

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_articles_search",
            ["id", "hidden", "source_id", "lang", "published_at", "fetched_at", "story_id",
             "duplicate_of"],
            unique=False,
        )  # fmt: skip

    if op.get_bind().dialect.name == "sqlite":
        searchindex.create_sqlite_index(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        searchindex.drop_sqlite_index(op.get_bind())

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_index("ix_articles_search")

    with op.batch_alter_table("related_articles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_related_articles_related_id"))

    op.drop_table("related_articles")
    with op.batch_alter_table("article_terms", schema=None) as batch_op:
        batch_op.drop_index("ix_article_terms_term")

    op.drop_table("article_terms")
    with op.batch_alter_table("alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_deliveries_due")
        batch_op.drop_index(batch_op.f("ix_alert_deliveries_article_id"))

    op.drop_table("alert_deliveries")
    with op.batch_alter_table("alert_webhooks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_webhooks_saved_search_id"))

    op.drop_table("alert_webhooks")
    op.drop_table("saved_searches")
