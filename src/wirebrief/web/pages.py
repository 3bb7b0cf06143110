"""Server-rendered HTML pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from wirebrief.storage import articles as article_store
from wirebrief.storage import sources as source_store
from wirebrief.web.deps import db_session
from wirebrief.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    page: int = Query(1, ge=1, le=10_000),
    source: int | None = Query(None),
    session: Session = Depends(db_session),
) -> HTMLResponse:
    """The latest articles."""
    total = article_store.count_articles(session, source)
    items = article_store.list_articles(
        session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, source_id=source
    )
    selected = source_store.get_source(session, source) if source is not None else None
    return templates.TemplateResponse(
        request,
        "home.html",
        {
            "articles": items,
            "page": page,
            "has_next": page * PAGE_SIZE < total,
            "total": total,
            "selected_source": selected,
        },
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(
    request: Request, article_id: int, session: Session = Depends(db_session)
) -> HTMLResponse:
    """One article: title, time, reading time, body, origin, disclaimer."""
    return templates.TemplateResponse(
        request,
        "article.html",
        {
            "article": article_store.get_article(session, article_id),
            "removal_contact": request.app.state.settings.removal_contact,
        },
    )


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, session: Session = Depends(db_session)) -> HTMLResponse:
    """Every followed source."""
    return templates.TemplateResponse(
        request, "sources.html", {"sources": source_store.list_sources(session)}
    )


@router.get("/healthz", response_class=PlainTextResponse, tags=["health"])
def healthz(session: Session = Depends(db_session)) -> str:
    """'ok' when the database answers."""
    session.execute(text("SELECT 1"))
    return "ok"
