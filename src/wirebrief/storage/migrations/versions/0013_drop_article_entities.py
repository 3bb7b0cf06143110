"""articles: drop the entities column, which nothing ever wrote or read

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-27 10:00:00.000000

Story grouping keeps its entities in the story profile and the article's features; the
column was never filled. A plain ALTER TABLE (SQLite 3.35 and later drop a column in place),
not a batch copy: recreating ``articles`` would touch every row and every table that points
at it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_column("articles", "entities")


def downgrade() -> None:
    op.add_column("articles", sa.Column("entities", sa.JSON(), nullable=True))
