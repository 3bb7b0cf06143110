"""Server-rendered HTML pages."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session, joinedload

from wirebrief.search.related import related_for
from wirebrief.storage import articles as article_store
from wirebrief.storage import assets as asset_store
from wirebrief.storage import families, reading
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.models import Article, Story
from wirebrief.storage.sources import SourceStats
from wirebrief.web.assets import market_widget
from wirebrief.web.auth import Viewer, viewer
from wirebrief.web.deps import SESSION, public_base_url
from wirebrief.web.params import ArticleId, SourceFilter, SourceId, StoryId
from wirebrief.web.templating import templates

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
TIMELINE_PAGE_SIZE = 100  # about 40 KB of HTML
# Home page topics: the asset kinds of markets/registry.py.
TOPICS = {"crypto": "Crypto", "stock": "Stocks", "commodity": "Commodities", "index": "Indices"}


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    page: int = Query(1, ge=1, le=10_000),
    source: SourceFilter = None,
    asset: str | None = Query(None, max_length=30),
    topic: str | None = Query(None, max_length=20),
    session: Session = SESSION,
) -> HTMLResponse:
    """Top stories now (each once, with who carried it), optionally about one asset or
    topic (asset kind); with ?source=, that source's articles."""
    if source is None:
        where = story_store.about_assets(asset, topic) if asset or topic else None
        # one story more than a page says whether an older page follows: no count of every
        # story (a scan of the table at a million)
        stories = story_store.list_stories(
            session, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, where=where
        )
        return templates.TemplateResponse(
            request,
            "home.html",
            {
                "stories": [story_card(session, story) for story in stories[:PAGE_SIZE]],
                "page": page,
                "has_next": len(stories) > PAGE_SIZE,
                "filters": {"asset": (asset or "").upper(), "topic": topic or ""},
                "pager_base": _pager_base(asset=asset, topic=topic),
                "topics": TOPICS,
                "sources": source_store.list_sources(session),
                "assets": asset_store.symbols_with_articles(session),
            },
        )
    return _source_articles(request, session, source, page)


def _pager_base(**filters: str | None) -> str:
    """The start of a pager link that keeps the list's filters (``?asset=TSLA&``)."""
    kept = {name: value for name, value in filters.items() if value}
    return f"?{urlencode(kept)}&" if kept else "?"


@router.get("/sources/{source_id}", response_class=HTMLResponse)
def source_page(
    request: Request,
    source_id: SourceId,
    page: int = Query(1, ge=1, le=10_000),
    session: Session = SESSION,
) -> HTMLResponse:
    """One source: its articles, newest first, and its feeds."""
    return _source_articles(request, session, source_store.get_source(session, source_id).id, page)


def _source_articles(request: Request, session: Session, source: int, page: int) -> HTMLResponse:
    total = article_store.count_articles(session, source)
    items = article_store.list_articles(
        session, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, source_id=source
    )
    origins = families.origins(session, items)
    return templates.TemplateResponse(
        request,
        "source_articles.html",
        {
            # A copy shows as carried, with the article it copies (None for the source's own).
            "entries": [(a, origins[a.id] if a.is_copy else None) for a in items],
            "page": page,
            "has_next": page * PAGE_SIZE < total,
            "total": total,
            "selected_source": source_store.get_source(session, source),
            "stats": source_store.source_stats(session, source).get(source, SourceStats()),
            "pager_base": _pager_base(source=str(source)),
        },
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article(request: Request, article_id: ArticleId, session: Session = SESSION) -> HTMLResponse:
    """One article: title, time, reading time, body, origin, disclaimer."""
    article = article_store.get_article(session, article_id)
    return templates.TemplateResponse(
        request,
        "article.html",
        {
            "article": article,
            "family": story_store.family_pages(session, article),
            "markets": market_widget(request, session, article),
            "related": related_for(session, article),
            "removal_contact": request.app.state.settings.removal_contact,
            "share_url": f"{public_base_url(request)}/articles/{article.id}",
        },
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story(
    request: Request,
    story_id: StoryId,
    page: int = Query(1, ge=1, le=10_000),
    signed: Viewer | None = Depends(viewer),
    session: Session = SESSION,
) -> HTMLResponse:
    """One story: its headline and the timeline of everyone who carried it, a page at a time
    (a story carried by thousands of pages would otherwise be megabytes of HTML); for a
    signed-in account, the articles that are new to it (new originals since it read the
    story)."""
    found = story_store.get_story(session, story_id)
    entries = story_store.coverage(session, story_id)
    total = len(entries)
    offset = (page - 1) * TIMELINE_PAGE_SIZE
    timeline = entries[offset : offset + TIMELINE_PAGE_SIZE]
    new: set[int] = set()
    new_articles = 0
    if signed is not None:
        state = reading.story_state(session, signed.user, story_id)
        pages = [page for entry in timeline for page in (entry.page, *entry.copies)]
        roots = reading.roots_of(session, [page.article_id for page in pages])
        new = {page.article_id for page in pages if roots.get(page.article_id) in state.new}
        new_articles = len(state.new)
    return templates.TemplateResponse(
        request,
        "story.html",
        {
            "story": found,
            "representative": session.get(
                Article, found.representative_article_id, options=[joinedload(Article.source)]
            ),
            "timeline": timeline,
            "new": new,
            "new_articles": new_articles,
            "csrf": signed.csrf if signed else None,
            "page": page,
            "has_next": offset + TIMELINE_PAGE_SIZE < total,
            "total": total,
        },
    )


@dataclass(frozen=True)
class StoryCard:
    """What the home page shows of a story."""

    story: Story
    article: Article | None
    carriers: list[story_store.Carrier]


def story_card(session: Session, story: Story) -> StoryCard:
    """A story with its representative article and its carriers (originals first)."""
    article = session.get(Article, story.representative_article_id)
    return StoryCard(story, article, story_store.carriers(session, story))


@router.get("/sources", response_class=HTMLResponse)
def sources(request: Request, session: Session = SESSION) -> HTMLResponse:
    """Every followed source."""
    context = {
        "sources": source_store.list_sources(session),
        "stats": source_store.source_stats(session),
        "no_stats": SourceStats(),
    }
    return templates.TemplateResponse(request, "sources.html", context)
