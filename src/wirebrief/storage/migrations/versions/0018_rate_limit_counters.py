"""rate limit counters shared by every web process

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:30:00.000000

Sign-in failures and removal requests were counted in each web process's memory, so N
processes allowed N times the limit and a restart forgot every count.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_index(
        "ix_rate_limit_counters_window_started_at", "rate_limit_counters", ["window_started_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_rate_limit_counters_window_started_at", table_name="rate_limit_counters")
    op.drop_table("rate_limit_counters")
