"""The store stage's last step: the search index and related stories follow each article.

They are written in the article's own transaction: an article is stored together with its
index entry and related lists, or not at all (and its entry is tried again later), so a
stored article is always searchable. ``wirebrief doctor`` finds and repairs articles that
older versions stored without them.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from wirebrief.search.related import update_related
from wirebrief.search.service import index_articles
from wirebrief.search.terms import TermVector
from wirebrief.storage.articles import StoreOutcome
from wirebrief.storage.models import Article

log = logging.getLogger(__name__)

# Store outcomes that change what an article says (a copy is a page of its own too).
INDEXED_OUTCOMES = frozenset({StoreOutcome.NEW, StoreOutcome.COPIES, StoreOutcome.UPDATED})
# Tries in a savepoint before the error ends the whole transaction: a race with another
# worker (a deadlock, a lock timeout) usually passes at once.
INDEX_ATTEMPTS = 3


def index_stored(
    session: Session, article: Article, outcome: StoreOutcome, terms: TermVector | None
) -> None:
    """After the store stage wrote ``article`` (with its story and asset links): index it,
    with the ``terms`` the page stages weighed."""
    if outcome in INDEXED_OUTCOMES:
        index_article(session, article, terms)


def index_article(session: Session, article: Article, terms: TermVector | None = None) -> None:
    """Index an article for search and compute its related stories, in the caller's
    transaction; a database error that persists after :data:`INDEX_ATTEMPTS` tries is
    raised, so the article is not committed without its index entry."""
    for attempt in range(1, INDEX_ATTEMPTS + 1):
        try:
            with session.begin_nested():
                index_articles(session, [article.id])
                update_related(session, article, terms)
            return
        except (IntegrityError, OperationalError) as exc:
            if attempt == INDEX_ATTEMPTS:
                raise
            log.warning(
                "search indexing failed, trying again article_id=%s url=%s attempt=%s: %s",
                article.id, article.url, attempt, str(exc).splitlines()[0],
            )  # fmt: skip
