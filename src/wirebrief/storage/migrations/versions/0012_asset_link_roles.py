"""asset links: about or a passing mention

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 18:30:00.000000

Links stored before this revision are classified from what was stored with them: an
article is about an asset it names in its headline or lead (the first paragraph, at most
the first 400 characters), or names three times or more in its text; any other link
becomes a mention, with its score halved so that it ranks below the article's about links.
The rule is frozen here; ``wirebrief assets relink`` classifies stored articles again with
the current linker.
"""

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEAD_CHARS = 400
DISCUSSED = 3  # mentions in the text that make an asset a subject of the article
WEAK_KINDS = ("role", "product")  # "Tesla CEO Elon Musk", "a 2012 Ford F-150"
BATCH = 1000

_links = sa.table(
    "article_assets",
    sa.column("id", sa.Integer),
    sa.column("article_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("score", sa.Float),
    sa.column("evidence", sa.JSON),
)
_articles = sa.table("articles", sa.column("id", sa.Integer), sa.column("text", sa.Text))


def upgrade() -> None:
    with op.batch_alter_table("article_assets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("role", sa.String(length=10), server_default="about", nullable=False)
        )
    bind = op.get_bind()
    for batch in _batches(bind):
        mentions = [
            {"link_id": row.id, "score": round((row.score or 0.0) / 2, 3)}
            for row in batch
            if _role(row.evidence, row.lead or "") == "mention"
        ]
        if mentions:
            bind.execute(
                _links.update()
                .where(_links.c.id == sa.bindparam("link_id"))
                .values(role="mention", score=sa.bindparam("score")),
                mentions,
            )


def downgrade() -> None:
    with op.batch_alter_table("article_assets", schema=None) as batch_op:
        batch_op.drop_column("role")


def _batches(bind: sa.Connection) -> Iterator[Sequence[Any]]:
    """The stored links with the start of their article's text, by id, a batch at a time."""
    after = 0
    while True:
        rows = bind.execute(
            sa.select(
                _links.c.id,
                _links.c.score,
                _links.c.evidence,
                sa.func.substr(_articles.c.text, 1, LEAD_CHARS).label("lead"),
            )
            .join(_articles, _articles.c.id == _links.c.article_id)
            .where(_links.c.id > after)
            .order_by(_links.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1].id


def _role(evidence: Any, lead: str) -> str:
    """ "about" or "mention" from a link's stored evidence and its article's first
    characters."""
    items = [item for item in evidence or () if isinstance(item, dict)]
    strong = [item for item in items if item.get("kind") not in WEAK_KINDS]
    if any(item.get("field") == "title" for item in strong):
        return "about"
    in_text = [item for item in strong if item.get("field") == "text"]
    paragraph_end = lead.find("\n\n")
    lead_end = len(lead) if paragraph_end < 0 else paragraph_end
    starts = [item.get("start") for item in in_text]
    if any(isinstance(start, int) and start < lead_end for start in starts):
        return "about"
    return "about" if len(in_text) >= DISCUSSED else "mention"
