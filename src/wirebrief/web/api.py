"""The JSON API under /api."""

from __future__ import annotations

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from wirebrief.storage import articles as article_store
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.models import Article, Story
from wirebrief.storage.sources import SourceStats
from wirebrief.web.deps import SESSION
from wirebrief.web.params import ArticleId, ItemsToSkip, SourceFilter, StoryId
from wirebrief.web.schemas import (
    ArticleListOut,
    ArticleOut,
    ArticleSummaryOut,
    CarrierOut,
    CoverageOut,
    PageOut,
    SourceListItemOut,
    StoryDetailOut,
    StoryListOut,
    StoryOut,
)

router = APIRouter(prefix="/api")


@router.get("/articles", tags=["articles"], response_model=ArticleListOut)
def list_articles(
    limit: int = Query(20, ge=1, le=100, description="Page size."),
    offset: ItemsToSkip = 0,
    source: SourceFilter = None,
    session: Session = SESSION,
) -> ArticleListOut:
    """Articles, newest first, each copy family once (as its original); with ``source``, what
    that source carried, its copies of other outlets' articles included."""
    items = article_store.list_articles(session, limit=limit, offset=offset, source_id=source)
    return ArticleListOut(
        items=[ArticleSummaryOut.of(a) for a in items],
        total=article_store.count_articles(session, source),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/articles/{article_id}",
    tags=["articles"],
    response_model=ArticleOut,
    responses={404: {"description": "No such article (or it was removed)."}},
)
def get_article(article_id: ArticleId, session: Session = SESSION) -> ArticleOut:
    """One article with its text, sanitized HTML and origin."""
    return ArticleOut.of(article_store.get_article(session, article_id))


@router.get("/stories", tags=["stories"], response_model=StoryListOut)
def list_stories(
    limit: int = Query(20, ge=1, le=100, description="Page size."),
    offset: ItemsToSkip = 0,
    session: Session = SESSION,
) -> StoryListOut:
    """Stories, most recently active first; each lists who carried it."""
    stories = story_store.list_stories(session, limit=limit, offset=offset)
    return StoryListOut(
        items=[_story(session, s) for s in stories],
        total=story_store.count_stories(session),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/stories/{story_id}",
    tags=["stories"],
    response_model=StoryDetailOut,
    responses={404: {"description": "No such story."}},
)
def get_story(
    story_id: StoryId,
    limit: int = Query(100, ge=1, le=500, description="Timeline pages per answer."),
    offset: int = Query(0, ge=0, le=1_000_000, description="Timeline pages to skip."),
    session: Session = SESSION,
) -> StoryDetailOut:
    """One story with its timeline of the pages that carried it, earliest first, paged."""
    story = story_store.get_story(session, story_id)
    entries = story_store.coverage(session, story_id)
    timeline = [
        CoverageOut(
            **PageOut.of(entry.page).model_dump(), copies=[PageOut.of(c) for c in entry.copies]
        )
        for entry in entries[offset : offset + limit]
    ]
    return StoryDetailOut(
        **_story(session, story).model_dump(),
        timeline=timeline,
        timeline_total=len(entries),
        limit=limit,
        offset=offset,
    )


def _story(session: Session, story: Story) -> StoryOut:
    article = session.get(Article, story.representative_article_id)
    return StoryOut(
        id=story.id,
        headline=story.headline,
        first_seen_at=story.first_seen_at,
        last_seen_at=story.last_seen_at,
        article_count=story.article_count,
        source_count=story.source_count,
        representative=ArticleSummaryOut.of(article) if article and not article.hidden else None,
        carriers=[
            CarrierOut(name=c.name, role=c.role, copies=c.copies, is_origin=c.role == "original")
            for c in story_store.carriers(session, story)
        ],
    )


@router.get("/sources", tags=["sources"], response_model=list[SourceListItemOut])
def list_sources(session: Session = SESSION) -> list[SourceListItemOut]:
    """Every followed source with its last poll, and what it carried: articles of its own,
    copies of other outlets' articles, items per day (as the /sources page shows them)."""
    stats = source_store.source_stats(session)
    return [
        SourceListItemOut.with_stats(s, stats.get(s.id, SourceStats()))
        for s in source_store.list_sources(session)
    ]
