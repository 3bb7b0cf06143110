"""unread_families: each account's unread families, kept as rows; roots indexed by time

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 21:40:00.000000

An account's unread lists and counts read these rows instead of resolving every family the
account follows against every mark it made (a second per page at 100,000 articles). The
rows are filled here from the pages, subscriptions and marks, with the same rule as
``storage/reading.py``: a family is unread for an account following a source that carries
a visible page of it, when no member is marked read and it is newer than the account's
horizon or kept unread. ``ix_articles_roots_by_time`` lets the other lists walk families
newest first and stop after a page.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MARKED = (
    "(EXISTS (SELECT 1 FROM reading_states x WHERE x.user_id = s.user_id "
    "AND x.article_id = r.id AND x.read = :{mark}) "
    "OR EXISTS (SELECT 1 FROM articles c JOIN reading_states x ON x.article_id = c.id "
    "WHERE c.duplicate_of = r.id AND x.user_id = s.user_id AND x.read = :{mark}))"
)

_FILL = f"""
INSERT INTO unread_families (user_id, source_id, family_id, family_time)
SELECT DISTINCT s.user_id, carried.source_id, carried.family,
       COALESCE(r.published_at, r.fetched_at)
FROM (
    SELECT m.source_id AS source_id, COALESCE(m.duplicate_of, m.id) AS family
    FROM articles m WHERE m.hidden = :no AND m.source_id IS NOT NULL
) carried
JOIN subscriptions s ON s.source_id = carried.source_id
JOIN users u ON u.id = s.user_id
JOIN articles r ON r.id = carried.family
WHERE r.duplicate_of IS NULL
  AND NOT {_MARKED.format(mark="yes")}
  AND (u.read_before IS NULL OR COALESCE(r.published_at, r.fetched_at) >= u.read_before
       OR {_MARKED.format(mark="no")})
"""


def upgrade() -> None:
    op.create_table(
        "unread_families",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("family_time", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["family_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "family_id", "source_id"),
    )
    with op.batch_alter_table("unread_families", schema=None) as batch_op:
        batch_op.create_index("ix_unread_families_family_id", ["family_id"], unique=False)
        batch_op.create_index("ix_unread_families_source_id", ["source_id"], unique=False)
        batch_op.create_index(
            "ix_unread_families_user_source",
            ["user_id", "source_id", "family_time", "family_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_unread_families_user_time", ["user_id", "family_time", "family_id"], unique=False
        )
    op.create_index(
        "ix_articles_roots_by_time",
        "articles",
        [sa.text("coalesce(published_at, fetched_at)"), "id", "source_id", "hidden"],
        unique=False,
        sqlite_where=sa.text("duplicate_of IS NULL"),
        postgresql_where=sa.text("duplicate_of IS NULL"),
    )
    op.execute(sa.text(_FILL).bindparams(yes=True, no=False))


def downgrade() -> None:
    op.drop_index("ix_articles_roots_by_time", table_name="articles")
    op.drop_table("unread_families")
