"""Markets in the reader: the asset page, the asset API and the article page's widget.

Prices come from the app's :class:`PriceBook` (the configured providers, cached). The
article route gathers the widget with :func:`market_widget` and hands it to
``_market_widget.html``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from wirebrief.errors import NoPrices, PriceError
from wirebrief.markets import catalog
from wirebrief.markets.prices import HISTORY_DAYS, PriceBook
from wirebrief.markets.providers import build_providers
from wirebrief.markets.quotes import (
    PriceSeries,
    Quote,
    change_since,
    direction,
    format_change,
    format_price,
    quote,
)
from wirebrief.markets.sparkline import ChartMark, price_chart_svg, sparkline_svg
from wirebrief.markets.types import AssetKind, AssetSpec, LinkRole
from wirebrief.storage import assets as asset_store
from wirebrief.storage.models import Article, ArticleAsset, Asset
from wirebrief.web.deps import SESSION
from wirebrief.web.market_schemas import AssetOut, BarOut, EvidenceOut, QuoteOut
from wirebrief.web.params import ItemsToSkip
from wirebrief.web.schemas import ArticleSummaryOut
from wirebrief.web.templating import human_time, templates

router = APIRouter()
WIDGET_ASSETS = 3
WIDGET_DAYS = 30
CHART_DAYS = 90
PAGE_SIZE = 20
_BOOK_LOCK = threading.Lock()


def price_book(app: FastAPI) -> PriceBook:
    """The app's price book, made on first use from its settings."""
    with _BOOK_LOCK:
        book = getattr(app.state, "price_book", None)
        if book is None:
            settings = app.state.settings
            book = PriceBook(
                build_providers(settings), app.state.db, ttl_s=settings.price_cache_ttl_s
            )
            app.state.price_book = book
        return book


@dataclass(frozen=True)
class Prices:
    """What a page shows of an asset's prices: a series and its quote, or why not."""

    series: PriceSeries | None
    quote: Quote | None
    note: str | None

    @property
    def price(self) -> str:
        return format_price(self.quote.last, self.quote.currency) if self.quote else ""

    @property
    def change(self) -> str:
        return format_change(self.quote.change_24h_pct) if self.quote else ""

    @property
    def direction(self) -> str:
        return direction(self.quote.change_24h_pct if self.quote else None)


def prices_of(request: Request, asset: Asset, days: int) -> Prices:
    """The last ``days`` of prices of ``asset``, never raising: failures become a note."""
    try:
        series = price_book(request.app).series(asset_store.spec_of(asset), days)
    except PriceError as exc:
        return Prices(None, None, _reader_note(exc))
    return Prices(series, quote(series), series.note)


@dataclass(frozen=True)
class WidgetItem:
    """One asset in the article page's widget."""

    asset: Asset
    prices: Prices
    sparkline: Markup
    since: float | None  # percent since publication

    @property
    def since_text(self) -> str:
        return format_change(self.since)

    @property
    def since_direction(self) -> str:
        return direction(self.since)


@dataclass(frozen=True)
class Markets:
    """The article page's markets: the assets it is about, with prices, and those it only
    mentions."""

    about: list[WidgetItem]
    mentions: list[Asset]


def market_widget(request: Request, session: Session, article: Article) -> Markets:
    """The article's top assets it is about, with price, 24 h change, sparkline and the move
    since publication, and the assets it mentions in passing."""
    links = asset_store.linked_assets(session, article.id)
    items = []
    for link in [link for link in links if link.role == LinkRole.ABOUT][:WIDGET_ASSETS]:
        prices = prices_of(request, link.asset, WIDGET_DAYS)
        spark, since = Markup(""), None
        if prices.series is not None:
            label = f"{link.asset.name}, last {WIDGET_DAYS} days"
            spark = sparkline_svg(prices.series.bars, label, marker_at=article.published_at)
            since = change_since(prices.series, article.published_at)
        items.append(WidgetItem(link.asset, prices, spark, since))
    mentions = [link.asset for link in links if link.role == LinkRole.MENTION]
    return Markets(items, mentions)


def as_of(value: datetime) -> str:
    """'2026-11-25 (daily close)' for a daily bar, else the time in UTC."""
    if (value.hour, value.minute, value.second) == (0, 0, 0):
        return f"{value:%Y-%m-%d} (daily close)"
    return human_time(value)


templates.env.filters["as_of"] = as_of


# ── the asset page ──


@router.get("/assets/{symbol}", response_class=HTMLResponse, include_in_schema=False)
def asset_page(request: Request, symbol: str, session: Session = SESSION) -> HTMLResponse:
    """An asset: quote, a price chart with its stories marked, and the latest stories."""
    asset = catalog.get_asset(session, symbol)
    prices = prices_of(request, asset, CHART_DAYS)
    rows = asset_store.articles_about(session, asset.id, limit=PAGE_SIZE)
    chart = Markup("")
    if prices.series is not None:
        label = f"{asset.name} ({asset.symbol}), last {CHART_DAYS} days"
        marks = _marks(asset_store.articles_about(session, asset.id, limit=200))
        chart = price_chart_svg(prices.series.bars, label, marks, currency=prices.series.currency)
    return templates.TemplateResponse(
        request,
        "asset.html",
        {
            "asset": asset,
            "spec": asset_store.spec_of(asset),
            "prices": prices,
            "chart": chart,
            "articles": rows,
            "total": asset_store.count_articles_about(session, asset.id),
        },
    )


def _marks(rows: list[tuple[Article, ArticleAsset]]) -> list[ChartMark]:
    """One mark per story (its first article), or per article when it has no story."""
    firsts: dict[object, Article] = {}
    for article, _ in rows:
        when = article.published_at or article.fetched_at
        key = ("story", article.story_id) if article.story_id else ("article", article.id)
        first = firsts.get(key)
        if first is None or when < (first.published_at or first.fetched_at):
            firsts[key] = article
    return [
        ChartMark(
            at=article.published_at or article.fetched_at,
            label=f"{article.title} ({(article.published_at or article.fetched_at):%Y-%m-%d})",
            href=f"/articles/{article.id}",
        )
        for article in firsts.values()
    ]


# ── the API ──


class AssetArticleOut(ArticleSummaryOut):
    """An article about an asset, with how strongly and where it names the asset."""

    score: float
    evidence: list[EvidenceOut]


class AssetNewsOut(BaseModel):
    """A page of articles about one asset, newest first."""

    symbol: str
    items: list[AssetArticleOut]
    total: int
    limit: int
    offset: int


class AssetListItemOut(BaseModel):
    """An asset articles can be linked to, and how many visible articles are."""

    symbol: str
    name: str
    kind: str = Field(description="stock, crypto, commodity or index.")
    exchange: str | None
    currency: str
    aliases: list[str] = Field(description="Names that link articles to it by themselves.")
    ambiguous: list[str] = Field(description="Names that count only with market context.")
    articles: int = Field(
        description="Visible articles about the asset (not those that only mention it)."
    )


class AssetListOut(BaseModel):
    """A page of assets."""

    items: list[AssetListItemOut]
    total: int
    limit: int
    offset: int


@router.get("/api/assets", tags=["assets"], response_model=AssetListOut)
def list_assets(
    kind: AssetKind | None = Query(None, description="Only assets of this kind."),
    linked: bool = Query(False, description="Only assets with at least one linked article."),
    order: Literal["articles", "symbol"] = Query(
        "articles", description="Most covered first, or alphabetical."
    ),
    limit: int = Query(50, ge=1, le=500, description="Page size."),
    offset: ItemsToSkip = 0,
    session: Session = SESSION,
) -> AssetListOut:
    """Every asset articles can be linked to (built-in and imported), with its article count;
    prices are per asset, at ``/api/assets/{symbol}``."""
    counts = asset_store.article_counts(session)
    rows = [
        spec.listing(counts.get(spec.symbol, 0))
        for spec in catalog.all_specs(session)
        if (kind is None or spec.kind == kind) and (not linked or counts.get(spec.symbol))
    ]
    if order == "articles":
        rows.sort(key=lambda row: (-row["articles"], row["symbol"]))
    else:
        rows.sort(key=lambda row: row["symbol"])
    return AssetListOut(
        items=[AssetListItemOut(**row) for row in rows[offset : offset + limit]],
        total=len(rows),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/api/assets/{symbol}",
    tags=["assets"],
    response_model=AssetOut,
    responses={404: {"description": "No such asset."}},
)
def get_asset(
    request: Request,
    symbol: str,
    days: int = Query(30, ge=1, le=HISTORY_DAYS, description="Days of daily history."),
    session: Session = SESSION,
) -> AssetOut:
    """An asset with its latest quote and daily history (when a price provider has it)."""
    asset = catalog.get_asset(session, symbol)
    spec: AssetSpec = asset_store.spec_of(asset)
    prices = prices_of(request, asset, days)
    return AssetOut(
        symbol=asset.symbol,
        name=asset.name,
        kind=asset.kind,
        exchange=asset.exchange,
        currency=spec.currency,
        aliases=list(spec.aliases),
        ambiguous_aliases=list(spec.ambiguous),
        articles=asset_store.count_articles_about(session, asset.id),
        quote=QuoteOut.of(prices.quote) if prices.quote else None,
        history=[BarOut.of(bar) for bar in prices.series.bars] if prices.series else [],
        price_note=prices.note,
    )


@router.get(
    "/api/assets/{symbol}/news",
    tags=["assets"],
    response_model=AssetNewsOut,
    responses={404: {"description": "No such asset."}},
)
def get_asset_news(
    symbol: str,
    limit: int = Query(20, ge=1, le=100, description="Page size."),
    offset: ItemsToSkip = 0,
    session: Session = SESSION,
) -> AssetNewsOut:
    """Articles linked to an asset, newest first, with the link's score and evidence."""
    asset = catalog.get_asset(session, symbol)
    rows = asset_store.articles_about(session, asset.id, limit=limit, offset=offset)
    items = [
        AssetArticleOut(
            **ArticleSummaryOut.of(article).model_dump(),
            score=link.score,
            evidence=[EvidenceOut(**item) for item in link.evidence or ()],
        )
        for article, link in rows
    ]
    return AssetNewsOut(
        symbol=asset.symbol,
        items=items,
        total=asset_store.count_articles_about(session, asset.id),
        limit=limit,
        offset=offset,
    )


def _reader_note(error: PriceError) -> str:
    """A short reason for readers; operators find the full message in the log."""
    if isinstance(error, NoPrices) and error.unconfigured:
        return "No price source is configured."
    if isinstance(error, NoPrices) and error.unlisted:
        return "No price data for this asset."
    return "Prices are unavailable right now."
