"""Which stored articles a saved search matches: for its feeds, and new ones for alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from wirebrief.search.backend import SearchFilters
from wirebrief.search.service import SearchPage, search
from wirebrief.storage import alerts as alert_store
from wirebrief.storage import articles as article_store
from wirebrief.storage import families
from wirebrief.storage.models import Article, SavedSearch

PAGE = 100
# A saved search that suddenly matches thousands of articles alerts about the newest ones.
MAX_NEW_MATCHES = 500


def filters_of(saved: SavedSearch, **extra: object) -> SearchFilters:
    """The search filters a saved search stands for."""
    return SearchFilters(
        sources=tuple(saved.source_ids or ()),
        assets=tuple(saved.asset_symbols or ()),
        lang=saved.lang,
        **extra,  # type: ignore[arg-type]
    )


def latest_matches(session: Session, saved: SavedSearch, limit: int = 50) -> SearchPage:
    """The newest articles the saved search matches, one per story (what its feeds show)."""
    return search(session, saved.query, filters_of(saved), sort="time", limit=limit)


def queue_new_matches(session: Session, saved: SavedSearch, now: datetime) -> int:
    """Queue a delivery to each webhook for every article stored since the last check.

    Returns how many deliveries were queued. The check moves on to the newest article.
    """
    up_to = article_store.latest_article_id(session)
    if up_to <= saved.checked_up_to_id:
        return 0
    filters = filters_of(saved, after_id=saved.checked_up_to_id, up_to_id=up_to)
    articles: list[Article] = []
    offset = 0
    while offset < MAX_NEW_MATCHES:
        page = search(session, saved.query, filters, sort="time", limit=PAGE, offset=offset)
        articles.extend(result.article for result in page.results)
        if not page.has_more:
            break
        offset += PAGE
    # Oldest first (receivers get them in publication order), and no family with a member
    # stored before the last check: a later copy of it is no news.
    old = families.stored_by(session, map(_family, articles), saved.checked_up_to_id)
    articles = [article for article in reversed(articles) if _family(article) not in old]
    queued = sum(alert_store.enqueue(session, hook, articles, now) for hook in saved.webhooks)
    saved.checked_up_to_id = up_to
    return queued


def _family(article: Article) -> int:
    """The article's family: its origin's id."""
    return article.family
