"""reposts and stories

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 07:32:03.268430
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "article_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("site_name", sa.String(length=300), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    with op.batch_alter_table("article_sightings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_article_sightings_article_id"), ["article_id"], unique=False
        )

    op.create_table(
        "lsh_bands",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "band"),
    )
    with op.batch_alter_table("lsh_bands", schema=None) as batch_op:
        batch_op.create_index("ix_lsh_bands_bucket", ["bucket"], unique=False)

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("entities", sa.JSON(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_articles_duplicate_of"), ["duplicate_of"], unique=False
        )
        batch_op.create_foreign_key(
            "fk_articles_duplicate_of", "articles", ["duplicate_of"], ["id"], ondelete="SET NULL"
        )

    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "last_seen_at",
                sa.DateTime(timezone=True),
                server_default=sa.text("CURRENT_TIMESTAMP"),
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("article_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("source_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("profile", sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f("ix_stories_last_seen_at"), ["last_seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stories_last_seen_at"))
        batch_op.drop_column("profile")
        batch_op.drop_column("source_count")
        batch_op.drop_column("article_count")
        batch_op.drop_column("last_seen_at")

    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_constraint("fk_articles_duplicate_of", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_articles_duplicate_of"))
        batch_op.drop_column("entities")
        batch_op.drop_column("duplicate_of")

    with op.batch_alter_table("lsh_bands", schema=None) as batch_op:
        batch_op.drop_index("ix_lsh_bands_bucket")

    op.drop_table("lsh_bands")
    with op.batch_alter_table("article_sightings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_sightings_article_id"))

    op.drop_table("article_sightings")
