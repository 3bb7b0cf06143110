"""every page its own row: exact copies become articles of their own, sightings go

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 18:00:00.000000

Until now an exact copy was kept as a sighting of the article it copies, and an origin
arriving after its copy took over the copy's row, keeping the copy's headline. Now every
page is a row of its own, written from its own page only; a copy points at its family's
origin. Each sighting under another URL becomes an article pointing at that origin, with
the text it shares with it, and, until its page is read again, the title the row had. Its
listing fingerprint is left empty, so the next poll of its feed reads the page again and
writes its own title, description and dates; so is the fingerprint of every row that had
copies collapsed into it, as its title may have been the copy's. The new rows are not in the
search index yet: ``wirebrief doctor --repair`` indexes them (so does their next read).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What a sighting's new row takes from the row it was a sighting of (the text they share).
_SHARED = (
    "title", "lang", "text", "html", "reading_minutes", "content_hash", "tldr_headline",
    "tldr_bullets", "tldr_method", "story_id", "hidden",
)  # fmt: skip


def upgrade() -> None:
    op.execute(
        "UPDATE articles SET entry_fingerprint = NULL WHERE EXISTS (SELECT 1 FROM "
        "article_sightings s WHERE s.article_id = articles.id AND s.url <> articles.url)"
    )
    shared = ", ".join(_SHARED)
    op.execute(
        f"INSERT INTO articles (url, canonical_url, source_id, site_name, published_at, "
        f"fetched_at, updated_at, duplicate_of, {shared}) "
        f"SELECT s.url, s.url, s.source_id, s.site_name, s.published_at, s.seen_at, s.seen_at, "
        f"COALESCE(a.duplicate_of, a.id), {', '.join(f'a.{c}' for c in _SHARED)} "
        f"FROM article_sightings s JOIN articles a ON a.id = s.article_id "
        f"WHERE NOT EXISTS (SELECT 1 FROM articles b WHERE b.url = s.url)"
    )
    with op.batch_alter_table("article_sightings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_article_sightings_article_id"))
    op.drop_table("article_sightings")


def downgrade() -> None:
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
    # Every page keeps its row (a copy as the near copies always were): each is its own
    # sighting, as the older code expects of every article.
    op.execute(
        "INSERT INTO article_sightings (article_id, url, source_id, site_name, published_at, "
        "seen_at) SELECT id, url, source_id, site_name, published_at, fetched_at FROM articles"
    )
