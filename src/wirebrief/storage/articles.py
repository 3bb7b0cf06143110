"""Article records: idempotent upsert and the queries the reader and API need."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from wirebrief.errors import NotFoundError
from wirebrief.storage.models import Article
from wirebrief.times import utcnow

# The columns a page fills, grouped by what copy collapsing does with them
# (dedupe/collapse.py); with the bookkeeping ones they are every Article column (a test checks).
# The page's own: when a copy turns out to be the original, these move onto the stored row.
PAGE_COLUMNS = (
    "url", "source_id", "site_name", "author", "authors", "published_at", "modified_at",
    "canonical_url", "image_url", "author_tldr", "tldr_headline", "tldr_bullets", "tldr_method",
    "tldr_note",
)  # fmt: skip
# The text and what was measured of it: the same in every exact copy.
TEXT_COLUMNS = (
    "guid", "title", "description", "lang", "text", "html", "reading_minutes", "content_hash",
    "entry_fingerprint",
)  # fmt: skip
PROVENANCE_COLUMNS = ("origin_name", "origin_url", "origin_chain")
# What an upsert by URL copies from the incoming page onto the stored row (the URL is the key).
UPDATABLE_COLUMNS = tuple(
    name for name in (*PAGE_COLUMNS, *TEXT_COLUMNS, *PROVENANCE_COLUMNS) if name != "url"
)


class StoreOutcome(StrEnum):
    """What the store stage did with a page (also the metric label and the report's column)."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    COPIES = "copies"  # an exact copy of a stored article, kept as a sighting of it


@dataclass(frozen=True)
class UpsertResult:
    """The stored article and whether it was new, changed or unchanged."""

    article: Article
    outcome: StoreOutcome  # NEW, UPDATED or UNCHANGED


def upsert_article(session: Session, incoming: Article) -> UpsertResult:
    """Insert by URL, or update the stored row's changed fields; never a duplicate row."""
    stored = find_article_by_url(session, incoming.url)
    if stored is None:
        incoming.fetched_at = incoming.updated_at = utcnow()
        session.add(incoming)
        session.flush()
        return UpsertResult(incoming, StoreOutcome.NEW)
    changed = [
        name
        for name in UPDATABLE_COLUMNS
        if getattr(incoming, name) is not None and getattr(stored, name) != getattr(incoming, name)
    ]
    for name in changed:
        setattr(stored, name, getattr(incoming, name))
    # fetched_at stays the first time the page was stored: apps syncing "stored since"
    # (the Reader API's ot and nt) must not get it again on every re-read.
    content_changed = any(name != "entry_fingerprint" for name in changed)
    if content_changed:
        stored.updated_at = utcnow()
    outcome = StoreOutcome.UPDATED if content_changed else StoreOutcome.UNCHANGED
    return UpsertResult(stored, outcome)


def find_article_by_url(session: Session, url: str) -> Article | None:
    """The article stored for exactly this URL."""
    return session.scalars(select(Article).where(Article.url == url)).first()


def get_article(session: Session, article_id: int) -> Article:
    """A visible article by id, or :class:`NotFoundError`."""
    article = session.get(Article, article_id, options=[joinedload(Article.source)])
    if article is None or article.hidden:
        raise NotFoundError(f"there is no article {article_id}")
    return article


def list_articles(
    session: Session, *, limit: int = 20, offset: int = 0, source_id: int | None = None
) -> list[Article]:
    """Visible articles, newest first (by publication time, then arrival)."""
    query = (
        select(Article)
        .options(joinedload(Article.source))
        .where(Article.hidden.is_(False))
        .order_by(func.coalesce(Article.published_at, Article.fetched_at).desc(), Article.id.desc())
        .limit(limit)
        .offset(offset)
    )
    if source_id is not None:
        query = query.where(Article.source_id == source_id)
    return list(session.scalars(query))


def count_articles(session: Session, source_id: int | None = None) -> int:
    """How many visible articles there are (optionally for one source)."""
    query = select(func.count(Article.id)).where(Article.hidden.is_(False))
    if source_id is not None:
        query = query.where(Article.source_id == source_id)
    return session.scalar(query) or 0


def counts_by_source(session: Session) -> dict[int, int]:
    """How many visible articles each source has (sources without any are absent)."""
    query = (
        select(Article.source_id, func.count(Article.id))
        .where(Article.hidden.is_(False), Article.source_id.is_not(None))
        .group_by(Article.source_id)
    )
    return {source_id: count for source_id, count in session.execute(query) if source_id}
