"""Output feeds of the reader: all stories, one asset, one source (saved searches: discovery.py).

Every format comes from ``feeds.output``; hidden articles never appear, because the
queries behind these feeds only return visible ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from wirebrief.errors import NotFoundError
from wirebrief.feeds.output import FORMATS, FeedMeta, article_item, render
from wirebrief.markets import catalog
from wirebrief.storage import articles as article_store
from wirebrief.storage import assets as asset_store
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.models import Article
from wirebrief.web.deps import SESSION, public_base_url
from wirebrief.web.params import SourceId

router = APIRouter(prefix="/feeds", tags=["feeds"])
FEED_ITEMS = 50
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "RSS 2.0 (.rss), Atom 1.0 (.atom) or JSON Feed 1.1 (.json)."},
    404: {"description": "No such asset, source or format."},
}


def _feed(
    request: Request, kind: str, title: str, page: str, feed: str, articles: Iterable[Article],
    description: str,
) -> Response:  # fmt: skip
    """Render ``articles`` as a ``kind`` feed whose HTML page is ``page``."""
    if kind not in FORMATS:
        raise NotFoundError(f"there is no .{kind} feed; use .rss, .atom or .json")
    base = public_base_url(request)
    items = [article_item(a, base) for a in articles if not a.hidden]
    times = [when for i in items if (when := i.updated or i.published) is not None]
    meta = FeedMeta(
        title=f"{title} · Wirebrief", home_url=f"{base}{page}",
        feed_url=f"{base}{feed}.{kind}", description=description,
        **({"updated": max(times)} if times else {}),
    )  # fmt: skip
    body, content_type = render(kind, meta, items)
    return Response(body, media_type=content_type)


@router.get("/stories.{kind}", response_class=Response, responses=_RESPONSES)
def stories_feed(request: Request, kind: str, session: Session = SESSION) -> Response:
    """Top stories, each once (its representative article), with TLDR and origin link."""
    stories = story_store.list_stories(session, limit=FEED_ITEMS)
    reps = [session.get(Article, s.representative_article_id) for s in stories]
    articles = [a for a in reps if a is not None]
    return _feed(request, kind, "Top stories", "/", "/feeds/stories", articles,
                 "The latest stories, each once, with who carried them first")  # fmt: skip


@router.get("/assets/{symbol}.{kind}", response_class=Response, responses=_RESPONSES)
def asset_feed(request: Request, symbol: str, kind: str, session: Session = SESSION) -> Response:
    """Articles about one asset (stock, crypto asset, commodity or index)."""
    asset = catalog.get_asset(session, symbol)
    rows = asset_store.articles_about(session, asset.id, limit=FEED_ITEMS)
    return _feed(request, kind, f"{asset.symbol} news", f"/assets/{asset.symbol}",
                 f"/feeds/assets/{asset.symbol}", [a for a, _ in rows],
                 f"Articles about {asset.name} ({asset.symbol})")  # fmt: skip


@router.get("/sources/{source_id}.{kind}", response_class=Response, responses=_RESPONSES)
def source_feed(
    request: Request, source_id: SourceId, kind: str, session: Session = SESSION
) -> Response:
    """One source's articles, newest first."""
    source = source_store.get_source(session, source_id)
    articles = article_store.list_articles(session, limit=FEED_ITEMS, source_id=source.id)
    return _feed(request, kind, source.name, f"/sources/{source.id}", f"/feeds/sources/{source.id}",
                 articles, f"Articles from {source.name}")  # fmt: skip
