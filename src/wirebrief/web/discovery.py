"""Finding things in the reader: the search page and API, related stories, saved-search feeds."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from wirebrief.alerts.matching import latest_matches
from wirebrief.errors import NotFoundError, SearchQueryError
from wirebrief.feeds.output import FORMATS, FeedMeta, article_item, render
from wirebrief.search.backend import SORTS, SearchFilters
from wirebrief.search.related import Related, related_for
from wirebrief.search.service import SearchPage, parse_when, search
from wirebrief.storage import alerts as alert_store
from wirebrief.storage import articles as article_store
from wirebrief.storage import sources as source_store
from wirebrief.storage.models import SavedSearch
from wirebrief.storage.types import MAX_ID
from wirebrief.web.deps import SESSION, public_base_url
from wirebrief.web.params import ArticleId, SearchId
from wirebrief.web.schemas import ArticleSummaryOut
from wirebrief.web.search_schemas import (
    RelatedListOut,
    RelatedOut,
    SavedSearchOut,
    SearchOut,
    SearchResultOut,
)
from wirebrief.web.templating import templates

router = APIRouter()
PAGE_SIZE = 20
FEED_ITEMS = 50

_Q = Query("", description='Words, "phrases", prefix*, -exclusions, OR. Empty: filters only.')
_SOURCE = Query([], description="Source ids (repeat the parameter, or separate by commas).")
_ASSET = Query([], description="Asset symbols, e.g. BTC (repeat, or separate by commas).")
_LANG = Query(None, description='Language: "en" also matches "en-GB".')
_SINCE = Query(None, description="Published on or after: 2026-11-20 or an ISO 8601 time.")
_UNTIL = Query(None, description="Published before (a bare date includes that day).")
_SORT = Query("relevance", description="relevance or time (newest first).")


def search_filters(
    source: list[str], asset: list[str], lang: str | None, since: str | None, until: str | None
) -> SearchFilters:
    """Filters from query parameters; :class:`SearchQueryError` when one is unreadable."""
    sources = []
    for value in _split(source):
        # ASCII digits only: str.isdigit() takes "²", which int() refuses.
        if not (
            value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= MAX_ID
        ):
            raise SearchQueryError(
                f"source must be a source id (a number from 1 to {MAX_ID}), not {value[:20]!r}"
            )
        sources.append(int(value))
    return SearchFilters(
        sources=tuple(sources),
        assets=tuple(_split(asset)),
        lang=(lang or "").strip() or None,
        since=parse_when(since),
        until=parse_when(until, end=True),
    )


@router.get(
    "/api/search",
    tags=["search"],
    response_model=SearchOut,
    responses={400: {"description": "The query or a filter could not be read; see detail."}},
)
def api_search(
    q: str = _Q,
    source: list[str] = _SOURCE,
    asset: list[str] = _ASSET,
    lang: str | None = _LANG,
    since: str | None = _SINCE,
    until: str | None = _UNTIL,
    sort: str = _SORT,
    limit: int = Query(20, ge=1, le=100, description="Page size."),
    offset: int = Query(0, ge=0, le=10_000, description="Results to skip."),
    session: Session = SESSION,
) -> SearchOut:
    """Articles matching a query, one per story (copies collapsed), with highlighted snippets."""
    try:
        filters = search_filters(source, asset, lang, since, until)
        page = search(session, q, filters, sort=sort, limit=limit, offset=offset)
    except SearchQueryError as exc:
        raise HTTPException(400, str(exc)) from exc
    return SearchOut(
        query=str(page.query),
        sort=page.sort,
        items=[
            SearchResultOut(
                article=ArticleSummaryOut.of(r.article),
                score=round(r.score, 4) if r.score is not None else None,
                title_html=str(r.title_html),
                snippet_html=str(r.snippet_html),
            )
            for r in page.results
        ],
        limit=limit,
        offset=offset,
        has_more=page.has_more,
    )


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    q: str = "",
    source: list[str] = Query([]),
    asset: list[str] = Query([]),
    lang: str | None = None,
    since: str | None = None,
    until: str | None = None,
    sort: str = "relevance",
    page: int = Query(1, ge=1, le=500),
    session: Session = SESSION,
) -> HTMLResponse:
    """The search form and its results, with highlighted snippets."""
    form = {
        "q": q,
        "source": _split(source),
        "asset": ",".join(_split(asset)),
        "lang": lang or "",
        "since": since or "",
        "until": until or "",
        "sort": sort,
    }
    results: SearchPage | None = None
    error = None
    try:
        filters = search_filters(source, asset, lang, since, until)
        if q.strip() or filters:
            results = search(
                session, q, filters, sort=sort, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            )
    except SearchQueryError as exc:
        error = str(exc)
    context = {
        "form": form,
        "results": results,
        "error": error,
        "page": page,
        "sorts": SORTS,
        "sources": source_store.list_sources(session),
        "saved_searches": alert_store.list_saved_searches(session),
        "query_string": _without_page(request),
    }
    return templates.TemplateResponse(
        request, "search.html", context, status_code=400 if error else 200
    )


@router.get(
    "/api/articles/{article_id}/related",
    tags=["articles"],
    response_model=RelatedListOut,
    responses={404: {"description": "No such article (or it was removed)."}},
)
def api_related(article_id: ArticleId, session: Session = SESSION) -> RelatedListOut:
    """Up to six articles of other stories worth reading next (content, assets, recency)."""
    article = article_store.get_article(session, article_id)
    return RelatedListOut(items=[_related_out(r) for r in related_for(session, article)])


@router.get("/api/searches", tags=["search"], response_model=list[SavedSearchOut])
def api_saved_searches(request: Request, session: Session = SESSION) -> list[SavedSearchOut]:
    """Saved searches (made with `wirebrief alerts add`) and their feed URLs."""
    return [_saved_out(request, saved) for saved in alert_store.list_saved_searches(session)]


@router.get(
    "/feeds/searches/{search_id}.{kind}",
    tags=["search"],
    response_class=Response,
    responses={200: {"description": "RSS 2.0 (.rss), Atom 1.0 (.atom) or JSON Feed 1.1 (.json)."},
               404: {"description": "No such saved search or format."}},
)  # fmt: skip
def saved_search_feed(
    request: Request, search_id: SearchId, kind: str, session: Session = SESSION
) -> Response:
    """A saved search's newest matches as a feed; items carry the TLDR and the origin link."""
    if kind not in FORMATS:
        raise NotFoundError(f"there is no .{kind} feed; use .rss, .atom or .json")
    saved = alert_store.get_saved_search(session, search_id)
    base = public_base_url(request)
    meta = FeedMeta(
        title=f"{saved.name} · Wirebrief",
        home_url=f"{base}/search?{_saved_query_string(saved)}",
        feed_url=f"{base}/feeds/searches/{saved.id}.{kind}",
        description=f"Articles matching {saved.query or 'the saved filters'}",
    )
    try:
        matches = latest_matches(session, saved, FEED_ITEMS)
    except SearchQueryError as exc:
        raise HTTPException(400, f"saved search {saved.id}: {exc}") from exc
    body, content_type = render(
        kind, meta, [article_item(r.article, base) for r in matches.results]
    )
    return Response(body, media_type=content_type)


def _related_out(related: Related) -> RelatedOut:
    return RelatedOut(article=ArticleSummaryOut.of(related.article), score=round(related.score, 4))


def _saved_out(request: Request, saved: SavedSearch) -> SavedSearchOut:
    base = public_base_url(request)
    return SavedSearchOut(
        id=saved.id,
        name=saved.name,
        query=saved.query,
        sources=saved.source_ids or [],
        assets=saved.asset_symbols or [],
        lang=saved.lang,
        feeds={kind: f"{base}/feeds/searches/{saved.id}.{kind}" for kind in FORMATS},
    )


def _saved_query_string(saved: SavedSearch) -> str:
    params: list[tuple[str, str]] = [("q", saved.query), ("sort", "time")]
    params += [("source", str(s)) for s in saved.source_ids or []]
    params += [("asset", a) for a in saved.asset_symbols or []]
    if saved.lang:
        params.append(("lang", saved.lang))
    return urlencode(params)


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _without_page(request: Request) -> str:
    """The request's query string without ``page``, for the pager's links."""
    return urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
