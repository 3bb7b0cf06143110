"""tldr

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 07:32:15.107537
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "llm_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tldr_headline", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("tldr_bullets", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("tldr_method", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("tldr_note", sa.Text(), nullable=True))

    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tldr_headline", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("tldr_bullets", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("tldr_method", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_column("tldr_method")
        batch_op.drop_column("tldr_bullets")
        batch_op.drop_column("tldr_headline")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("tldr_note")
        batch_op.drop_column("tldr_method")
        batch_op.drop_column("tldr_bullets")
        batch_op.drop_column("tldr_headline")

    op.drop_table("llm_cache")
