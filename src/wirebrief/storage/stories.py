"""Story records: the time-window candidates, counts, and what the reader lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session, joinedload

from wirebrief.errors import NotFoundError
from wirebrief.storage import assets as asset_store
from wirebrief.storage import locks
from wirebrief.storage.models import Article, ArticleAsset, ArticleSighting, Asset, Source, Story
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
    session.execute(select(Story.id).where(Story.id == story.id).with_for_update())
    story.updated_at = utcnow()
    members = list(
        session.scalars(
            select(Article)
            .options(joinedload(Article.source))
            .where(Article.story_id == story.id, Article.hidden.is_(False))
        )
    )
    if not members:
        story.article_count = story.source_count = 0
        return
    ids = [a.id for a in members]
    sightings = list(
        session.scalars(select(ArticleSighting).where(ArticleSighting.article_id.in_(ids)))
    )
    story.article_count = len({s.url for s in sightings} | {a.url for a in members})  # pages
    story.source_count = len(_source_keys(session, members, sightings))
    originals = [a for a in members if a.duplicate_of is None] or members
    representative = min(originals, key=lambda a: (a.published_at is None, a.published_at, a.id))
    story.representative_article_id = representative.id
    story.headline = representative.title[:500]
    times = [a.published_at for a in members if a.published_at] + [
        s.published_at for s in sightings if s.published_at
    ]
    if times:
        story.first_seen_at, story.last_seen_at = min(times), max(times)


def _source_keys(
    session: Session, members: list[Article], sightings: list[ArticleSighting]
) -> set[str]:
    """Distinct publishers: the source when known, else the site name or host."""
    keys: set[str] = set()
    source_names: dict[int | None, str] = (
        dict(session.execute(select(Source.id, Source.name)).all()) if sightings else {}
    )
    for sighting in sightings:
        keys.add(_key(source_names.get(sighting.source_id), sighting.site_name, sighting.url))
    for article in members:
        keys.add(
            _key(article.source.name if article.source else None, article.site_name, article.url)
        )
    return keys


def _key(source_name: str | None, site_name: str | None, url: str) -> str:
    return (source_name or site_name or url).casefold()


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


def count_stories(session: Session, where: ColumnElement[bool] | None = None) -> int:
    """How many stories have visible articles (``where`` filters)."""
    condition = true() if where is None else where
    return (
        session.scalar(select(func.count(Story.id)).where(Story.article_count > 0, condition)) or 0
    )


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
        .order_by(Article.published_at.is_(None), Article.published_at, Article.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Sighting:
    """One page of a story's coverage: who carried which article, when."""

    article_id: int
    url: str
    source_name: str
    published_at: datetime | None
    is_origin: bool
    title: str


def coverage(session: Session, story_id: int) -> list[Sighting]:
    """Every page carrying the story, earliest first; the origin pages are marked."""
    articles = {a.id: a for a in story_articles(session, story_id)}
    if not articles:
        return []
    names: dict[int | None, str] = dict(session.execute(select(Source.id, Source.name)).all())
    rows = session.scalars(
        select(ArticleSighting).where(ArticleSighting.article_id.in_(list(articles)))
    )
    pages = []
    for row in rows:
        article = articles[row.article_id]
        origin_page = (
            article.duplicate_of is None and row.url == article.url and not article.origin_url
        )
        pages.append(
            Sighting(
                article.id,
                row.url,
                names.get(row.source_id) or row.site_name or row.url,
                row.published_at,
                origin_page,
                article.title,
            )
        )
    return sorted(pages, key=lambda p: (p.published_at is None, p.published_at, p.article_id))


def carriers(session: Session, story: Story) -> list[tuple[str, bool]]:
    """``(source name, is origin)`` for each publisher of a story, origin first."""
    seen: dict[str, bool] = {}
    for page in coverage(session, story.id):
        key = page.source_name
        seen[key] = seen.get(key, False) or page.is_origin
    return sorted(seen.items(), key=lambda item: not item[1])


def other_copies(session: Session, article: Article) -> list[Sighting]:
    """Other pages carrying the same article (exact and near copies, and its origin)."""
    if article.story_id is None:
        return []
    root = article.duplicate_of or article.id
    family = {root} | set(session.scalars(select(Article.id).where(Article.duplicate_of == root)))
    return [
        page
        for page in coverage(session, article.story_id)
        if page.article_id in family and page.url != article.url
    ]
