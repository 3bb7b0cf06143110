"""The schema. Changes here need an Alembic migration (``storage/migrations``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from wirebrief.storage.types import UTCDateTime, utcnow

UNHEALTHY_AFTER_FAILURES = 3


class Base(DeclarativeBase):
    """Declarative base for every table."""


class Source(Base):
    """A feed, sitemap or page we poll."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default="feed")  # feed, sitemap, page, warc
    site_url: Mapped[str | None] = mapped_column(String(2048))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    fetch_pages: Mapped[bool] = mapped_column(Boolean, default=True, server_default=sa_true())
    poll_interval_s: Mapped[int | None] = mapped_column(Integer)  # the user's override
    items_per_day: Mapped[float | None] = mapped_column(Float)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[str | None] = mapped_column(String(30))
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_reason: Mapped[str | None] = mapped_column(String(40))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def health(self) -> str:
        """new, healthy, failing (1-2 failures in a row), unhealthy (3+), paused or blocked."""
        if self.blocked:
            return "blocked"
        if not self.enabled:
            return "paused"
        if self.last_polled_at is None:
            return "new"
        if self.consecutive_failures >= UNHEALTHY_AFTER_FAILURES:
            return "unhealthy"
        return "failing" if self.consecutive_failures else "healthy"

    articles: Mapped[list[Article]] = relationship(back_populates="source")


class FetchAttempt(Base):
    """One HTTP fetch of a feed or page, successful or not."""

    __tablename__ = "fetch_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    kind: Mapped[str] = mapped_column(String(10))  # "feed" or "page"
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))  # ok, not_modified, failed
    http_status: Mapped[int | None] = mapped_column(Integer)
    error_reason: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)
    bytes_received: Mapped[int | None] = mapped_column(Integer)


class Story(Base):
    """A group of articles about one event (filled by the stories stage)."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(primary_key=True)
    headline: Mapped[str] = mapped_column(String(500))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    representative_article_id: Mapped[int | None] = mapped_column(Integer)
    article_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    source_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # What new articles are compared with: top weighted terms and named entities.
    profile: Mapped[dict | None] = mapped_column(JSON)
    tldr_headline: Mapped[str | None] = mapped_column(Text)
    tldr_bullets: Mapped[list | None] = mapped_column(JSON)
    tldr_method: Mapped[str | None] = mapped_column(String(20))


class Article(Base):
    """One article as we extracted it from one URL."""

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_published_at_id", "published_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id", ondelete="SET NULL"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    canonical_url: Mapped[str | None] = mapped_column(String(2048), index=True)
    guid: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(1000))
    author: Mapped[str | None] = mapped_column(String(500))
    site_name: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(2048))
    lang: Mapped[str | None] = mapped_column(String(20))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    modified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    reading_minutes: Mapped[int] = mapped_column(Integer, default=0)
    origin_name: Mapped[str | None] = mapped_column(String(300))
    origin_url: Mapped[str | None] = mapped_column(String(2048))
    # [{"name": ..., "url": ...}, ...] from the nearest copy to the first publisher
    origin_chain: Mapped[list | None] = mapped_column(JSON)
    authors: Mapped[list | None] = mapped_column(JSON)
    author_tldr: Mapped[list | None] = mapped_column(JSON)  # the article's own key points
    tldr_headline: Mapped[str | None] = mapped_column(Text)
    tldr_bullets: Mapped[list | None] = mapped_column(JSON)
    tldr_method: Mapped[str | None] = mapped_column(String(20))  # author, extractive, llm
    tldr_note: Mapped[str | None] = mapped_column(Text)  # why an LLM answer was not used
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    entry_fingerprint: Mapped[str | None] = mapped_column(String(64))
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    # A near-duplicate copy points at the article it copies (the origin's copy).
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    entities: Mapped[list | None] = mapped_column(JSON)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    source: Mapped[Source | None] = relationship(back_populates="articles")


class ArticleSighting(Base):
    """One place an article was seen: exact copies collapse into one article, many sightings."""

    __tablename__ = "article_sightings"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id", ondelete="SET NULL"))
    site_name: Mapped[str | None] = mapped_column(String(300))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LshBand(Base):
    """One MinHash LSH band of an article: articles sharing a band bucket are candidates."""

    __tablename__ = "lsh_bands"
    __table_args__ = (Index("ix_lsh_bands_bucket", "band", "bucket"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    bucket: Mapped[int] = mapped_column(BigInteger)


class Asset(Base):
    """A market asset articles can be linked to (filled by the markets stage)."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    symbol: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # stock, crypto, commodity, index
    exchange: Mapped[str | None] = mapped_column(String(40))
    currency: Mapped[str | None] = mapped_column(String(10))
    aliases: Mapped[list | None] = mapped_column(JSON)
    # Identifiers at price providers, e.g. {"coingecko": "bitcoin", "stooq": "btcusd"}
    provider_ids: Mapped[dict | None] = mapped_column(JSON)


class ArticleAsset(Base):
    """Which asset an article is about, how strongly."""

    __tablename__ = "article_assets"
    __table_args__ = (UniqueConstraint("article_id", "asset_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(default=0.0)
    evidence: Mapped[list | None] = mapped_column(JSON)  # [{"text", "start", "end", "field"}]


class Price(Base):
    """One bar of an asset's price history (daily or finer), from one provider."""

    __tablename__ = "prices"
    __table_args__ = (UniqueConstraint("asset_id", "provider", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    open: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    close: Mapped[float] = mapped_column(Float)
    volume: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(10))


class LlmCacheEntry(Base):
    """A cached answer of the LLM summarizer, keyed by a hash of model and prompt."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    response: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RemovalRequest(Base):
    """A request to take an article down (handled by the removal workflow)."""

    __tablename__ = "removal_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    reason: Mapped[str] = mapped_column(Text)
    contact_email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
