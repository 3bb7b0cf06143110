"""host schedule: request starts and cooldowns per host, shared by every worker

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 09:00:00.000000

The table exists on both engines; only PostgreSQL workers use it (storage/hostschedule.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_schedule",
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("next_start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cooldown_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("host"),
    )


def downgrade() -> None:
    op.drop_table("host_schedule")
