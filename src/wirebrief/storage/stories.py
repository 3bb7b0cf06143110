"""Story records: the time-window candidates, counts, and what the reader lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CursorResult,
    bindparam,
    func,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, joinedload

from wirebrief.errors import NotFoundError
from wirebrief.storage import assets as asset_store
from wirebrief.storage import families, locks
from wirebrief.storage.models import Article, ArticleAsset, Asset, Source, Story
from wirebrief.times import utcnow

MAX_CANDIDATES = 300
# The namespace of the advisory locks taken before a story is started (``lock_new_story``).
_EVENT_LOCKS = 0x53545259  # "STRY"


def stories_near(session: Session, when: datetime, window: timedelta) -> list[tuple[int, datetime]]:
    """Id and last change of the stories active within ``window`` of ``when`` (the most
    recently active first): the version a decoded profile can be cached under."""
    query = (
        select(Story.id, Story.updated_at)
        .where(Story.last_seen_at >= when - window, Story.first_seen_at <= when + window)
        .order_by(Story.last_seen_at.desc())
        .limit(MAX_CANDIDATES)
    )
    return [(row.id, row.updated_at) for row in session.execute(query)]


def story_profiles(
    session: Session, story_ids: Sequence[int]
) -> list[tuple[int, datetime, dict[str, Any] | None]]:
    """Id, last change and grouping profile (JSON) of these stories."""
    query = select(Story.id, Story.updated_at, Story.profile).where(Story.id.in_(story_ids))
    return [(row.id, row.updated_at, row.profile) for row in session.execute(query)]


def lock_new_story(session: Session, names: Iterable[str]) -> bool:
    """Hold a lock on each of these names (an event's strongest entities) until the
    transaction ends, so that two workers about to start a story for one event take turns
    and the second can find the first's story. False where nothing is locked (SQLite)."""
    return locks.hold(session, _EVENT_LOCKS, map(locks.key_of, names))


def refresh(session: Session, story: Story) -> None:
    """Recount a story's articles and sources, pick its representative article, and mark it
    changed (``updated_at``, the version its cached grouping profile is keyed by).

    The story's row is locked first (PostgreSQL), so two workers adding to one story recount
    one after the other and the second counts the first's article.
    """
    story_id = {"story_id": story.id}
    if session.get_bind().dialect.name == "postgresql":  # SQLite has one writer at a time
        session.execute(_LOCK_STORY, story_id)
    story.updated_at = utcnow()
    # Aggregates in the database, never the member rows (with their texts): the cost of a
    # join stays flat however many articles the story has.
    pages, first, last = session.execute(_PAGES_AND_TIMES, story_id).one()
    story.article_count = pages  # pages: one row per URL
    if not pages:
        story.source_count = 0
        return
    story.source_count = len({name.casefold() for name in session.scalars(_PUBLISHERS, story_id)})
    representative = session.execute(_REPRESENTATIVE, story_id).one()
    story.representative_article_id = representative.id
    story.headline = representative.title[:500]
    if first is not None and last is not None:
        story.first_seen_at, story.last_seen_at = first, last


def _source_name(article: Article) -> str:
    """Who published a page: its source when known, else its site name or URL."""
    return article.source.name if article.source else article.site_name or article.url


def tldr_changed(session: Session, story: Story) -> None:
    """The story's originals changed. With one, the story shows that article's own TLDR at
    once; with more, its TLDR is marked stale, to be recomputed after commit
    (``stories/tldr.py``) instead of inside this transaction."""
    leads = session.execute(_LEADS, {"story_id": story.id}).all()
    if len(leads) > 1:
        story.tldr_stale_since = story.tldr_stale_since or utcnow()
        return
    story.tldr_headline, story.tldr_bullets, story.tldr_method = (
        tuple(leads[0]) if leads else (None, None, None)
    )
    story.tldr_stale_since = None


def stale_tldrs(
    session: Session, marked_before: datetime, after_id: int, limit: int
) -> list[tuple[int, datetime]]:
    """Id and last change of stories whose TLDR was marked stale before ``marked_before``,
    by id from ``after_id`` on (a round takes each story once)."""
    query = (
        select(Story.id, Story.updated_at)
        .where(Story.tldr_stale_since <= marked_before, Story.id > after_id)
        .order_by(Story.id)
        .limit(limit)
    )
    return [(row.id, row.updated_at) for row in session.execute(query)]


def first_originals(session: Session, story_id: int, limit: int) -> list[Article]:
    """A story's first ``limit`` visible originals, in publication order (what its TLDR
    reads)."""
    query = (
        select(Article)
        .options(joinedload(Article.source))
        .where(*_originals_of(story_id))
        .order_by(Article.published_at.is_(None), Article.published_at, Article.url)
        .limit(limit)
    )
    return list(session.scalars(query))


def save_tldr(
    session: Session,
    story_id: int,
    version: datetime,
    tldr: tuple[str | None, list[str] | None, str | None],
) -> bool:
    """Store a stale story's recomputed TLDR (headline, bullets, method), unless the story
    changed since ``version`` (another article joined meanwhile: it stays stale)."""
    headline, bullets, method = tldr
    unchanged = (
        Story.id == story_id,
        Story.updated_at == version,
        Story.tldr_stale_since.is_not(None),
    )
    saved = session.execute(
        update(Story)
        .where(*unchanged)
        .values(
            tldr_headline=headline, tldr_bullets=bullets, tldr_method=method, tldr_stale_since=None
        )
        .execution_options(synchronize_session=False)
    )
    return cast("CursorResult[Any]", saved).rowcount > 0


def _originals_of(story_id: int | BindParameter[int]) -> tuple[ColumnElement[bool], ...]:
    return (Article.story_id == story_id, Article.hidden.is_(False), families.is_origin())


# What the store stage runs for every story an article joins: built once, not per article.
_STORY_ID: BindParameter[int] = bindparam("story_id")
_VISIBLE = (Article.story_id == _STORY_ID, Article.hidden.is_(False))
_LOCK_STORY = select(Story.id).where(Story.id == _STORY_ID).with_for_update()
_PAGES_AND_TIMES = select(
    func.count(), func.min(Article.published_at), func.max(Article.published_at)
).where(*_VISIBLE)
_PUBLISHERS = (
    select(func.coalesce(Source.name, func.nullif(Article.site_name, ""), Article.url))
    .distinct()
    .select_from(Article)
    .outerjoin(Source, Source.id == Article.source_id)
    .where(*_VISIBLE)
)
_REPRESENTATIVE = (  # the earliest original (any member if none is)
    select(Article.id, Article.title)
    .where(*_VISIBLE)
    .order_by(families.is_copy(), Article.published_at.is_(None), Article.published_at, Article.url)
    .limit(1)
)
_LEADS = (
    select(Article.tldr_headline, Article.tldr_bullets, Article.tldr_method)
    .where(*_originals_of(_STORY_ID))
    .limit(2)
)


def about_assets(symbol: str | None = None, kind: str | None = None) -> ColumnElement[bool]:
    """A condition on stories: a visible article is about this asset or asset kind."""
    linked = (
        select(Article.story_id)
        .join(ArticleAsset, ArticleAsset.article_id == Article.id)
        .join(Asset, Asset.id == ArticleAsset.asset_id)
        .where(Article.hidden.is_(False), asset_store.IS_ABOUT)
    )
    if symbol:
        linked = linked.where(Asset.symbol == symbol.upper())
    if kind:
        linked = linked.where(Asset.kind == kind)
    return Story.id.in_(linked)


def list_stories(
    session: Session, *, limit: int = 20, offset: int = 0, where: ColumnElement[bool] | None = None
) -> list[Story]:
    """Stories with visible articles, most recently active first (``where`` filters)."""
    query = (
        select(Story)
        .where(Story.article_count > 0, true() if where is None else where)
        .order_by(Story.last_seen_at.desc(), Story.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def count_stories(session: Session) -> int:
    """How many stories have visible articles."""
    return session.scalar(select(func.count(Story.id)).where(Story.article_count > 0)) or 0


def get_story(session: Session, story_id: int) -> Story:
    """A story by id, or :class:`NotFoundError`."""
    story = session.get(Story, story_id)
    if story is None or story.article_count == 0:
        raise NotFoundError(f"there is no story {story_id}")
    return story


def story_articles(session: Session, story_id: int) -> list[Article]:
    """A story's visible articles, in publication order."""
    query = (
        select(Article)
        .options(joinedload(Article.source))
        .where(Article.story_id == story_id, Article.hidden.is_(False))
        .order_by(Article.published_at.is_(None), Article.published_at, Article.url)
    )
    return list(session.scalars(query))


class Role(StrEnum):
    """What a page is to the story it carries."""

    ORIGINAL = "original"  # first published what its copies carry
    COPY = "copy"  # a repost of another outlet's article, exact or trimmed
    COVERAGE = "coverage"  # its own write-up, beside other outlets' write-ups of the event
    ONLY = ""  # the story's one write-up, copied by nobody: nothing to tell apart


@dataclass(frozen=True)
class Page:
    """One page carrying a story: who published it, when, under which title."""

    article_id: int
    url: str
    source_name: str
    published_at: datetime | None
    title: str
    role: Role

    @property
    def is_origin(self) -> bool:
        """True for an original that has copies."""
        return self.role is Role.ORIGINAL


@dataclass(frozen=True)
class Family:
    """An article and the copies of it: one entry of a story's coverage."""

    page: Page
    copies: list[Page]


def coverage(session: Session, story_id: int) -> list[Family]:
    """The story's coverage, one entry per copy family (the original, its copies inside),
    earliest first."""
    members = story_articles(session, story_id)
    members_of: dict[int, list[Article]] = {}
    for article in members:  # in publication order, so each family's copies are too
        members_of.setdefault(article.family, []).append(article)
    several = len(members_of) > 1
    entries = []
    for origin_id, family in members_of.items():
        origin = next((a for a in family if a.id == origin_id), family[0])
        copies = [a for a in family if a is not origin]
        role = Role.ORIGINAL if copies else Role.COVERAGE if several else Role.ONLY
        entries.append(Family(_page(origin, role), [_page(a, Role.COPY) for a in copies]))
    return sorted(entries, key=lambda e: (e.page.published_at is None, e.page.published_at,
                                          e.page.url))  # fmt: skip


@dataclass(frozen=True)
class Carrier:
    """A publisher of a story and what it published: originals (with how many copies of
    them others carried), its own coverage, or copies."""

    name: str
    role: Role
    copies: int = 0  # copies of its originals, carried by others or by itself


def carriers(session: Session, story: Story) -> list[Carrier]:
    """Each publisher of a story once, originals first, then coverage, then copies."""
    found: dict[str, Carrier] = {}
    rank = {Role.ORIGINAL: 0, Role.COVERAGE: 1, Role.ONLY: 1, Role.COPY: 2}
    for entry in coverage(session, story.id):
        pages = [(entry.page, len(entry.copies)), *((copy, 0) for copy in entry.copies)]
        for page, copies in pages:
            known = found.get(page.source_name)
            role = page.role
            if known is not None and rank[known.role] < rank[role]:
                role = known.role
            found[page.source_name] = Carrier(
                page.source_name, role, (known.copies if known else 0) + copies
            )
    return sorted(found.values(), key=lambda c: rank[c.role])


def family_pages(session: Session, article: Article) -> list[Page]:
    """The other visible pages of an article's copy family: its original and its copies."""
    query = (
        select(Article)
        .options(joinedload(Article.source))
        .where(families.in_families([article.family]))
        .where(Article.id != article.id, Article.hidden.is_(False))
        .order_by(Article.published_at.is_(None), Article.published_at, Article.id)
    )
    return [_page(a, Role.COPY if a.is_copy else Role.ORIGINAL) for a in session.scalars(query)]


def _page(article: Article, role: Role) -> Page:
    return Page(article.id, article.url, _source_name(article), article.published_at,
                article.title, role)  # fmt: skip
