"""The JSON API under /api."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from wirebrief.storage import articles as article_store
from wirebrief.storage import sources as source_store
from wirebrief.web.deps import db_session
from wirebrief.web.schemas import ArticleListOut, ArticleOut, ArticleSummaryOut, SourceOut

router = APIRouter(prefix="/api")


@router.get("/articles", tags=["articles"], response_model=ArticleListOut)
def list_articles(
    limit: int = Query(20, ge=1, le=100, description="Page size."),
    offset: int = Query(0, ge=0, le=1_000_000, description="Items to skip."),
    source: int | None = Query(None, description="Only articles of this source id."),
    session: Session = Depends(db_session),
) -> ArticleListOut:
    """Articles, newest first."""
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
def get_article(article_id: int, session: Session = Depends(db_session)) -> ArticleOut:
    """One article with its text, sanitized HTML and origin."""
    return ArticleOut.of(article_store.get_article(session, article_id))


@router.get("/sources", tags=["sources"], response_model=list[SourceOut])
def list_sources(session: Session = Depends(db_session)) -> list[SourceOut]:
    """Every followed source with its last poll."""
    return [SourceOut.of(s) for s in source_store.list_sources(session)]
