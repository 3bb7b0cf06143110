"""source health and adaptive polling

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:13:12.468706
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fetch_pages", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("items_per_day", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_error_reason", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_column("last_error_reason")
        batch_op.drop_column("last_success_at")
        batch_op.drop_column("items_per_day")
        batch_op.drop_column("fetch_pages")
