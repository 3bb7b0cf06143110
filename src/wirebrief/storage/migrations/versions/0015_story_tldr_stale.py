"""stories: tldr_stale_since, so the story TLDR is recomputed after commit, not in it

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 21:45:00.000000

The store stage used to summarize a story's originals inside the write transaction of
every article that joined it. Now it only marks the story (``tldr_stale_since``), and the
ingestor recomputes marked stories after commit, at most once per story per interval; a
mark survives a crash, so the next run finishes the work. Existing stories are current.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "stories", sa.Column("tldr_stale_since", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index("ix_stories_tldr_stale_since", "stories", ["tldr_stale_since"])


def downgrade() -> None:
    op.drop_index("ix_stories_tldr_stale_since", table_name="stories")
    op.drop_column("stories", "tldr_stale_since")
