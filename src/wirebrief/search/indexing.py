"""The store stage's last step: the search index and related stories follow each article."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from wirebrief.search.related import update_related
from wirebrief.search.service import index_articles
from wirebrief.storage import articles as article_store
from wirebrief.storage.models import Article

log = logging.getLogger(__name__)

# Store outcomes that change what an article says (a copy only adds a sighting).
INDEXED_OUTCOMES = frozenset({"new", "updated"})


def index_stored(session: Session, url: str, outcome: str) -> None:
    """After the store stage wrote ``url`` (with its story and asset links): index it."""
    if outcome not in INDEXED_OUTCOMES:
        return
    article = article_store.find_article_by_url(session, url)
    if article is not None:
        index_article(session, article)


def index_article(session: Session, article: Article) -> None:
    """Index an article for search and compute its related stories.

    Runs in a savepoint: a failure here is logged and never costs the stored article.
    """
    try:
        with session.begin_nested():
            index_articles(session, [article.id])
            update_related(session, article)
    except Exception:  # discovery is an extra; the article itself must be kept
        log.exception("search indexing failed article_id=%s url=%s", article.id, article.url)
