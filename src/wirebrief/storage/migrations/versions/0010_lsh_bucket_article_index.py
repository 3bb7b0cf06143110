"""lsh bands: index buckets with their article, newest first within a bucket

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 13:10:00.000000

The candidate query reads, per bucket, only its most recent holders (a bucket that
boilerplate puts in thousands of articles would otherwise be read in full for every new
page); an index on (bucket, article_id) serves that range without a sort or a table read.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lsh_bands", schema=None) as batch_op:
        batch_op.create_index("ix_lsh_bands_bucket_article", ["bucket", "article_id"])
        batch_op.drop_index("ix_lsh_bands_bucket")


def downgrade() -> None:
    with op.batch_alter_table("lsh_bands", schema=None) as batch_op:
        batch_op.create_index("ix_lsh_bands_bucket", ["bucket"])
        batch_op.drop_index("ix_lsh_bands_bucket_article")
