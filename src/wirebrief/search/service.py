"""Search as callers use it: text in, articles with highlighted titles and snippets out.

The web page, the API, the CLI, saved-search feeds and alerts all come through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from wirebrief.errors import SearchQueryError
from wirebrief.search.backend import SORTS, SearchFilters, backend_for, marked_by_python
from wirebrief.search.query import SearchQuery, parse_query
from wirebrief.storage import families
from wirebrief.storage.models import Article
from wirebrief.times import as_utc


@dataclass(frozen=True)
class Result:
    """One hit: the article standing for its story, with the matches marked."""

    article: Article
    score: float | None
    title_html: Markup
    snippet_html: Markup


@dataclass(frozen=True)
class SearchPage:
    """One page of results."""

    query: SearchQuery
    results: list[Result]
    has_more: bool
    sort: str
    limit: int
    offset: int


def search(
    session: Session,
    text: str,
    filters: SearchFilters | None = None,
    *,
    sort: str = "relevance",
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Parse ``text`` and search; a query without words needs at least one filter."""
    filters = filters or SearchFilters()
    if sort not in SORTS:
        raise SearchQueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}")
    query = parse_query(text)
    if not query and not filters:
        raise SearchQueryError("type a word or a phrase to search for, or choose a filter")
    found = backend_for(session).search(
        session, query, filters, sort=sort, limit=limit, offset=offset
    )
    ids = [hit.article_id for hit in found.hits]
    articles = {
        a.id: a
        for a in session.scalars(
            select(Article).options(joinedload(Article.source)).where(Article.id.in_(ids))
        )
    }
    results = [
        Result(articles[hit.article_id], hit.score, hit.title_html, hit.snippet_html)
        for hit in found.hits
        if hit.article_id in articles
    ]
    if not filters.sources:  # a source's own search shows what it carried, copies included
        results = _as_origins(session, query, results)
    return SearchPage(query, results, found.has_more, sort, limit, offset)


def _as_origins(session: Session, query: SearchQuery, results: list[Result]) -> list[Result]:
    """Each hit as its copy family's origin, each family once: a copy that matched stands
    for its original, whose own title and text are marked."""
    kept = families.one_per_family(session, results, lambda result: result.article)
    replaced = [origin.id for origin, result in kept if origin is not result.article]
    marked = marked_by_python(session, query, replaced) if replaced else {}
    return [
        Result(origin, result.score, *marked[origin.id]) if origin.id in marked else result
        for origin, result in kept
    ]


def index_articles(session: Session, article_ids: list[int]) -> None:
    """Bring the search index up to date for these articles (new, changed or hidden)."""
    backend_for(session).index(session, article_ids)


def parse_when(value: str | None, *, end: bool = False) -> datetime | None:
    """A ``since``/``until`` bound: ``2026-11-20`` or an ISO 8601 time (UTC unless stated).

    A bare date as an ``end`` bound includes that whole day.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SearchQueryError(
            f"{value!r} is not a date; use 2026-11-20 or 2026-11-20T14:00:00Z"
        ) from None
    when = as_utc(when)
    if end and len(text) == 10:
        when += timedelta(days=1)
    return when
