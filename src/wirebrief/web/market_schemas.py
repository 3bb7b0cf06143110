"""JSON shapes of the markets API: assets, quotes, bars and the assets an article names."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import object_session

from wirebrief.markets.quotes import Quote
from wirebrief.markets.types import Bar, LinkRole
from wirebrief.storage import assets as asset_store
from wirebrief.storage.models import Article, ArticleAsset


class EvidenceOut(BaseModel):
    """Where the article names the asset: ``text[start:end]`` of its title or text."""

    text: str
    start: int
    end: int
    field: str = Field(description="title or text")
    kind: str | None = Field(
        None, description="cashtag, ticker_in_parens, exchange_ticker, ticker, name, …"
    )


class LinkedAssetOut(BaseModel):
    """An asset an article names: one it is about, or one it mentions in passing."""

    symbol: str
    name: str
    kind: str = Field(description="stock, crypto, commodity or index.")
    role: LinkRole = Field(
        description="about: the article is about the asset and is listed under it; mention: "
        "it names the asset in passing (a rival, a customer, background)."
    )
    score: float = Field(
        description="0 to 1: how central the asset is to the article; every mention scores "
        "below the assets the article is about."
    )
    evidence: list[EvidenceOut]

    @classmethod
    def of(cls, link: ArticleAsset) -> LinkedAssetOut:
        return cls(
            symbol=link.asset.symbol,
            name=link.asset.name,
            kind=link.asset.kind,
            role=LinkRole(link.role),
            score=link.score,
            evidence=[EvidenceOut(**item) for item in link.evidence or ()],
        )

    @classmethod
    def of_article(cls, article: Article) -> list[LinkedAssetOut]:
        """The linked assets of an article that is attached to an open session."""
        session = object_session(article)
        if session is None or article.id is None:
            return []
        return [cls.of(link) for link in asset_store.linked_assets(session, article.id)]


class QuoteOut(BaseModel):
    """The newest price and its move over 24 hours."""

    last: float
    currency: str
    change_24h: float | None
    change_24h_pct: float | None = Field(description="Percent; None without 24 h of data.")
    as_of: datetime = Field(description="Start of the newest bar.")
    provider: str
    sample: bool = Field(description="True for the demo's generated sample series.")
    stale: bool = Field(description="True when the provider failed and stored prices are shown.")

    @classmethod
    def of(cls, quote: Quote) -> QuoteOut:
        return cls.model_validate(quote, from_attributes=True)


class BarOut(BaseModel):
    """One bar of price history."""

    at: datetime
    open: float | None
    high: float | None
    low: float | None
    close: float
    volume: float | None

    @classmethod
    def of(cls, bar: Bar) -> BarOut:
        return cls.model_validate(bar, from_attributes=True)


class AssetOut(BaseModel):
    """An asset with its quote and recent history."""

    symbol: str
    name: str
    kind: str
    exchange: str | None
    currency: str
    aliases: list[str] = Field(description="Names that link articles to it by themselves.")
    ambiguous_aliases: list[str] = Field(description="Names that count only in context.")
    articles: int = Field(description="Visible articles about the asset.")
    quote: QuoteOut | None
    history: list[BarOut]
    price_note: str | None = Field(description="Why prices are missing or stale.")
