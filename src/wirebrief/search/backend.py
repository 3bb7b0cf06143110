"""What a search engine must do for Wirebrief, and the parts every engine shares.

A backend takes a parsed :class:`SearchQuery` (never the user's raw text) and filters,
and returns article ids, one per story, with highlighted titles and snippets. SQLite uses
FTS5 (``sqlite_fts.py``), PostgreSQL its full-text search (``postgres.py``);
:func:`backend_for` picks one by the session's dialect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from markupsafe import Markup
from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    Subquery,
    and_,
    case,
    cast,
    exists,
    func,
    null,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from wirebrief.errors import ConfigError
from wirebrief.markets.types import LinkRole
from wirebrief.search.query import SearchQuery
from wirebrief.search.snippets import excerpt_html, highlight, marked_html, snippet_html
from wirebrief.storage import families
from wirebrief.storage.models import Article, ArticleAsset, Asset

SORTS = ("relevance", "time")
# Results are ranked (or ordered by time) among the newest matches, this many plus the
# page's offset: the work per query stays bounded however common a word is, and on a news
# desk the best match for a common word is a recent one.
CANDIDATE_POOL = 500


@dataclass(frozen=True)
class SearchFilters:
    """Which articles may match, besides the words."""

    sources: tuple[int, ...] = ()
    assets: tuple[str, ...] = ()  # symbols, any case
    lang: str | None = None  # a primary tag: "en" also matches "en-GB"
    since: datetime | None = None  # published at or after
    until: datetime | None = None  # published before
    after_id: int | None = None  # stored after this article (alerts look at new ones only)
    up_to_id: int | None = None

    def __bool__(self) -> bool:
        return any(
            (self.sources, self.assets, self.lang, self.since, self.until,
             self.after_id is not None, self.up_to_id is not None)
        )  # fmt: skip


@dataclass(frozen=True)
class SearchHit:
    """One result: the best article of its story for this query."""

    article_id: int
    score: float | None  # higher is better; None when sorted by time only
    title_html: Markup  # escaped, matches in <mark>
    snippet_html: Markup  # escaped, matches in <mark>


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, and whether another page follows."""

    hits: list[SearchHit]
    has_more: bool


class SearchBackend(Protocol):
    """A search engine over the articles table."""

    name: str

    def search(
        self,
        session: Session,
        query: SearchQuery,
        filters: SearchFilters,
        *,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> SearchResults:
        """Visible articles matching ``query`` and ``filters``, one per story."""
        ...

    def index(self, session: Session, article_ids: list[int]) -> None:
        """Bring these articles' index entries up to date (hidden or deleted ones leave)."""
        ...

    def rebuild(self, session: Session) -> int:
        """Index every visible article from scratch; returns how many were indexed."""
        ...

    def missing(self, session: Session) -> list[int]:
        """Visible articles without an index entry (``wirebrief doctor``)."""
        ...

    def stray(self, session: Session) -> list[int]:
        """Index entries of hidden or deleted articles (``wirebrief doctor``)."""
        ...


def backend_for(session: Session) -> SearchBackend:
    """The search backend for the session's database engine."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        from wirebrief.search.sqlite_fts import SqliteFtsBackend

        return SqliteFtsBackend()
    if dialect == "postgresql":
        from wirebrief.search.postgres import PostgresFtsBackend

        return PostgresFtsBackend()
    raise ConfigError(f"search does not support the {dialect} database engine")


# ── shared by every backend: filters, story collapse, the filters-only listing ──


def missing_entries(session: Session, table: str, key: str) -> list[int]:
    """Visible articles without a row in the index ``table`` (keyed by article id ``key``)."""
    return list(session.scalars(text(
        f"SELECT a.id FROM articles AS a WHERE a.hidden = :no AND NOT EXISTS "
        f"(SELECT 1 FROM {table} AS i WHERE i.{key} = a.id) ORDER BY a.id"
    ), {"no": False}))  # fmt: skip


def stray_entries(session: Session, table: str, key: str) -> list[int]:
    """Rows of the index ``table`` whose article is hidden or deleted."""
    return list(session.scalars(text(
        f"SELECT i.{key} FROM {table} AS i LEFT JOIN articles AS a ON a.id = i.{key} "
        f"WHERE a.id IS NULL OR a.hidden = :yes ORDER BY i.{key}"
    ), {"yes": True}))  # fmt: skip


def story_key() -> ColumnElement[int]:
    """What collapses copies: the story, else the origin of a near copy, else the article."""
    return func.coalesce(Article.story_id, -families.family_of())


def sort_time() -> ColumnElement[datetime]:
    """When an article appeared: its publication time, else when we fetched it."""
    return func.coalesce(Article.published_at, Article.fetched_at)


def filter_clauses(filters: SearchFilters) -> list[ColumnElement[bool]]:
    """SQL conditions on ``Article`` for ``filters``; hidden articles never match."""
    clauses: list[ColumnElement[bool]] = [Article.hidden.is_(False)]
    if filters.sources:
        clauses.append(Article.source_id.in_(filters.sources))
    if filters.lang:
        lang = filters.lang.lower()
        tag = func.lower(Article.lang)
        clauses.append(or_(tag == lang, tag.like(lang + "-%")))
    if filters.since is not None:
        clauses.append(sort_time() >= filters.since)
    if filters.until is not None:
        clauses.append(sort_time() < filters.until)
    if filters.after_id is not None:
        clauses.append(Article.id > filters.after_id)
    if filters.up_to_id is not None:
        clauses.append(Article.id <= filters.up_to_id)
    if filters.assets:
        symbols = [symbol.upper() for symbol in filters.assets]
        asset_ids = select(Asset.id).where(func.upper(Asset.symbol).in_(symbols))
        clauses.append(
            exists().where(
                ArticleAsset.article_id == Article.id,
                ArticleAsset.asset_id.in_(asset_ids),
                ArticleAsset.role == LinkRole.ABOUT.value,  # about it, not naming it in passing
            )
        )
    return clauses


Order = list[tuple[str, bool]]  # (column, descending) pairs


def order_for(sort: str) -> Order:
    """How a sort name orders the columns ``score``, ``at`` and ``id`` of :func:`collapse`."""
    if sort == "time":
        return [("at", True), ("id", True)]
    return [("score", True), ("at", True), ("id", True)]


def collapse(candidates: Select, order: Order, limit: int, offset: int) -> Select:
    """Keep one row of each story (an original before any copy, then the first by ``order``)
    and page through them in ``order``.

    ``candidates`` selects ``id`` and ``score`` (higher is better) from articles, joined with
    whatever matched; one extra row is fetched to tell whether another page follows.
    """
    is_copy = case((families.is_origin(), 0), else_=1)
    ranked = candidates.add_columns(
        story_key().label("story"), sort_time().label("at"), is_copy.label("copy")
    ).subquery("candidates")
    numbered = select(
        ranked.c.id,
        ranked.c.score,
        ranked.c.at,
        func.row_number()
        .over(partition_by=ranked.c.story, order_by=_columns(ranked, [("copy", False), *order]))
        .label("nth"),
    ).subquery("numbered")
    return (
        select(numbered.c.id, numbered.c.score)
        .where(numbered.c.nth == 1)
        .order_by(*_columns(numbered, order))
        .limit(limit + 1)
        .offset(offset)
    )


def pool_size(limit: int, offset: int) -> int:
    """How many of the newest matches a page of results is chosen from."""
    return CANDIDATE_POOL + offset + limit


def list_filtered(
    session: Session, filters: SearchFilters, limit: int, offset: int
) -> SearchResults:
    """The empty query: every visible article that passes ``filters``, newest first."""
    candidates = (
        select(Article.id, cast(null(), Float).label("score"))
        .where(and_(*filter_clauses(filters)))
        .order_by(Article.id.desc())
        .limit(pool_size(limit, offset))
    )
    rows = session.execute(collapse(candidates, order_for("time"), limit, offset)).all()
    page = [row.id for row in rows[:limit]]
    found = {
        row.id: row
        for row in session.execute(
            select(Article.id, Article.title, Article.text).where(Article.id.in_(page))
        )
    }
    hits = [
        SearchHit(i, None, Markup.escape(found[i].title), excerpt_html(found[i].text)) for i in page
    ]
    return SearchResults(hits, has_more=len(rows) > limit)


def marked_by_python(
    session: Session, query: SearchQuery, article_ids: list[int]
) -> dict[int, tuple[Markup, Markup]]:
    """Highlighted title and snippet of each article, by our own matcher (``snippets.py``)."""
    rows = session.execute(
        select(Article.id, Article.title, Article.text).where(Article.id.in_(article_ids))
    )
    return {
        row.id: (
            marked_html(highlight(row.title, query.terms)),
            snippet_html(row.text, query.terms),
        )
        for row in rows
    }


def _columns(table: Subquery, order: Order) -> list[ColumnElement]:
    return [
        table.c[name].desc() if descending else table.c[name].asc() for name, descending in order
    ]
