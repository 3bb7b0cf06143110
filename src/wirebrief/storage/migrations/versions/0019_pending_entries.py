"""pending entries: the inbox of listed entries not stored yet, written with the poll

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 18:30:00.000000

Before, a poll saved the listing's ETag and next poll time first and stored its entries
afterwards, so a process killed in between lost the rest for good (the next poll got 304).
The validators are dropped here once: the next poll of every source reads its listing in
full, and whatever that ordering lost, and is still listed, is queued and stored.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("source_id", "url"),
    )
    with op.batch_alter_table("pending_entries", schema=None) as batch_op:
        batch_op.create_index("ix_pending_entries_due", ["not_before", "source_id"], unique=False)
    _forget_validators()


def downgrade() -> None:
    with op.batch_alter_table("pending_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_pending_entries_due")
    op.drop_table("pending_entries")
    # Entries still pending are gone with the table; a full read offers them again.
    _forget_validators()


def _forget_validators() -> None:
    op.execute("UPDATE sources SET etag = NULL, last_modified = NULL")
    if op.get_bind().dialect.name == "postgresql":
        # The data-version trigger on sources (0016) is deferred to commit; fired now, so a
        # later migration of the same run may still alter the table ("pending trigger events").
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
