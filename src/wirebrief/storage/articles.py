"""Article records: idempotent upsert and the queries the reader and API need."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from wirebrief.errors import NotFoundError
from wirebrief.storage import families
from wirebrief.storage.models import Article
from wirebrief.times import utcnow

# The columns a page fills, by where they come from; with the URL (the key) and the
# bookkeeping ones they are every Article column (a test checks).
# What a page says: a new read of the page replaces all of it, a field it no longer has too.
PAGE_COLUMNS = (
    "canonical_url", "title", "author", "authors", "site_name", "description", "image_url",
    "lang", "published_at", "modified_at", "text", "html", "reading_minutes", "origin_name",
    "origin_url", "origin_chain", "author_tldr", "tldr_headline", "tldr_bullets", "tldr_method",
    "tldr_note", "content_hash",
)  # fmt: skip
# What the listing says of it: kept when a read without a listing entry (an archive) lacks it.
LISTING_COLUMNS = ("guid", "entry_fingerprint", "source_id")
# What an upsert by URL copies from the incoming page onto the stored row.
UPDATABLE_COLUMNS = (*PAGE_COLUMNS, *LISTING_COLUMNS)
# A page field that may be empty: a new read without it clears it (the rest are never empty
# on a read page; an unset one on the incoming object means the column's default).
_CLEARED_WHEN_ABSENT = frozenset(
    name for name in PAGE_COLUMNS if Article.__table__.columns[name].nullable
)


class StoreOutcome(StrEnum):
    """What the store stage did with a page (also the metric label and the report's column)."""

    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    COPIES = "copies"  # a new page that copies another outlet's article (exact or near)


@dataclass(frozen=True)
class UpsertResult:
    """The stored article and whether it was new, changed or unchanged."""

    article: Article
    outcome: StoreOutcome  # NEW, UPDATED or UNCHANGED


def upsert_article(session: Session, incoming: Article) -> UpsertResult:
    """Insert by URL, or bring the stored row up to date with this read of its own page;
    never a duplicate row, never a field from another page."""
    stored = find_article_by_url(session, incoming.url)
    if stored is None:
        incoming.fetched_at = incoming.updated_at = utcnow()
        session.add(incoming)
        session.flush()
        return UpsertResult(incoming, StoreOutcome.NEW)
    return update_article(stored, incoming)


def update_article(stored: Article, incoming: Article) -> UpsertResult:
    """Bring ``stored`` up to date with ``incoming``, a new read of the same URL: every
    field the page says, and what the listing says when this read has a listing entry."""
    changed = [
        name
        for name in UPDATABLE_COLUMNS
        if (name in _CLEARED_WHEN_ABSENT or getattr(incoming, name) is not None)
        and getattr(stored, name) != getattr(incoming, name)
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
    """Visible articles, one per copy family (its origin), newest first (by publication
    time, then arrival); for one source, what it carried, its copies included."""
    query = families.listed() if source_id is None else families.carried_by(source_id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def count_articles(session: Session, source_id: int | None = None) -> int:
    """How many entries :func:`list_articles` has."""
    if source_id is None:
        return families.count_listed(session)
    return families.count_carried_by(session, source_id)


def latest_article_id(session: Session) -> int:
    """The highest article id so far (0 for an empty database)."""
    return session.scalar(select(func.max(Article.id))) or 0


def new_pages_by_source(
    session: Session, after_id: int, source_ids: list[int]
) -> dict[int, tuple[int, int]]:
    """``source id → (pages, copies)`` stored after article ``after_id``: copies are counted
    as the families stand now, after every page of the run was placed."""
    query = (
        select(Article.source_id, func.count(Article.id), func.count(families.origin_of_copy()))
        .where(Article.id > after_id, Article.source_id.in_(source_ids))
        .group_by(Article.source_id)
    )
    return {
        source_id: (pages, copies)
        for source_id, pages, copies in session.execute(query)
        if source_id is not None
    }
