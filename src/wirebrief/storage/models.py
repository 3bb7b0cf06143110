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
    func,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from wirebrief.storage.types import UTCDateTime
from wirebrief.times import utcnow

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
    # The desk's folder for it (an OPML category): new accounts' subscriptions start there.
    category: Mapped[str | None] = mapped_column(String(200))
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
    # When the story changed in a way its TLDR does not show yet (None: the TLDR is
    # current). Set in the write transaction, cleared once the TLDR is recomputed after
    # commit (stories/tldr.py): the mark survives a crash.
    tldr_stale_since: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class Article(Base):
    """One page as we extracted it from its URL: every field comes from this page alone."""

    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_published_at_id", "published_at", "id"),
        # What search filters and collapses on, so matches never read the article rows
        # (their text makes them long): see search/backend.py.
        Index(
            "ix_articles_search",
            "id",
            "hidden",
            "source_id",
            "lang",
            "published_at",
            "fetched_at",
            "story_id",
            "duplicate_of",
        ),
    )

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
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # first stored
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # text changed
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
    # A copy (exact or near) points at its family's origin itself, never at another copy.
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    source: Mapped[Source | None] = relationship(back_populates="articles")

    @property
    def family(self) -> int:
        """The article's copy family: its origin's id (its own for an origin)."""
        return self.duplicate_of or self.id

    @property
    def is_copy(self) -> bool:
        """A copy of another article (exact or near), not its family's origin."""
        return self.duplicate_of is not None


# Families newest first (an account's lists walk it and stop after a page): each root by
# its time, as storage/reading.py's family_time states it, with what the walk checks on
# the root itself (so SQLite's planner prefers it to scanning a covering index and sorting).
Index(
    "ix_articles_roots_by_time",
    func.coalesce(Article.published_at, Article.fetched_at),
    Article.id,
    Article.source_id,
    Article.hidden,
    sqlite_where=Article.duplicate_of.is_(None),
    postgresql_where=Article.duplicate_of.is_(None),
)


class LshBand(Base):
    """One MinHash LSH band of an article: articles sharing a band bucket are candidates."""

    __tablename__ = "lsh_bands"
    # Buckets embed the band; within a bucket, holders are read newest first (copies.py).
    __table_args__ = (Index("ix_lsh_bands_bucket_article", "bucket", "article_id"),)

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
    # Names that link to this asset; "~name" counts only with market context nearby and
    # "~SYMBOL" marks a ticker that is also a word (see markets/registry.py).
    aliases: Mapped[list | None] = mapped_column(JSON)
    # Identifiers at price providers, e.g. {"coingecko": "bitcoin", "stooq": "btcusd"}
    provider_ids: Mapped[dict | None] = mapped_column(JSON)


class ArticleAsset(Base):
    """An asset an article names: whether it is about it or mentions it, how strongly."""

    __tablename__ = "article_assets"
    __table_args__ = (UniqueConstraint("article_id", "asset_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("assets.id", ondelete="CASCADE"), index=True)
    # markets.about.LinkRole: "about" puts the article on the asset's lists, "mention" only
    # beside the article
    role: Mapped[str] = mapped_column(String(10), default="about", server_default="about")
    score: Mapped[float] = mapped_column(default=0.0)
    # Where the article names it: [{"text", "start", "end", "field", "kind"}]
    evidence: Mapped[list | None] = mapped_column(JSON)

    asset: Mapped[Asset] = relationship(lazy="joined", viewonly=True)


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


class BlockedContent(Base):
    """A removed article's URL or content hash: the store stage never takes it in again."""

    __tablename__ = "blocked_content"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # url or hash
    value: Mapped[str] = mapped_column(String(2048))
    removal_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("removal_requests.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(Base):
    """An account: it signs in to the reader, and its apps sign in with its API password."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(10), default="reader")  # admin or reader
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    # Apps (Google Reader and Fever APIs) sign in with a separate, generated password:
    # its argon2id hash, and the SHA-256 of its Fever key md5("name:password").
    api_password_hash: Mapped[str | None] = mapped_column(String(200))
    fever_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Articles published before this count as read unless kept unread (a new account does
    # not start with the desk's whole history unread).
    read_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class UserSession(Base):
    """A signed-in browser: the SHA-256 of its cookie token and its CSRF token."""

    __tablename__ = "user_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ApiToken(Base):
    """A token an app got from the Google Reader API's ClientLogin (only its SHA-256)."""

    __tablename__ = "api_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    client: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Folder(Base):
    """One account's folder of subscriptions (an OPML category, a Reader API label)."""

    __tablename__ = "folders"
    __table_args__ = (UniqueConstraint("user_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))


class Subscription(Base):
    """An account follows a source (sources are shared: each is fetched once)."""

    __tablename__ = "subscriptions"
    __table_args__ = (UniqueConstraint("user_id", "source_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    folder_id: Mapped[int | None] = mapped_column(
        ForeignKey("folders.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(300))  # the account's own name for it
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReadingState(Base):
    """What one account did with one article: read, kept unread, starred.

    Rows belong to the page the account acted on; a family (an original and its copies)
    is read when any member is, so a copy arriving later, or an original taking over as
    the family's root, never brings it back unread (``storage/reading.py``).
    """

    __tablename__ = "reading_states"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read: Mapped[bool | None] = mapped_column(Boolean)  # True read, False kept unread
    starred: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())
    read_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UnreadFamily(Base):
    """An account's unread family, once per followed source that carries it: what the
    account's unread lists and counts read, kept by ``storage/reading.py`` whenever a page
    is stored, hidden or shown, a family marked, or a source followed or dropped."""

    __tablename__ = "unread_families"
    __table_args__ = (
        # an account's unread families newest first, and one source's
        Index("ix_unread_families_user_time", "user_id", "family_time", "family_id"),
        Index("ix_unread_families_user_source", "user_id", "source_id", "family_time", "family_id"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    family_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    family_time: Mapped[datetime] = mapped_column(UTCDateTime)  # the root's, as lists sort


class ReadingLabel(Base):
    """A label an account put on an article (a Reader API tag); like a star, it belongs to
    the article's family."""

    __tablename__ = "reading_labels"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    label: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """One admin or public action on removals, sources or the password."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))  # admin, public, cli
    action: Mapped[str] = mapped_column(String(50))
    target: Mapped[str] = mapped_column(String(2048))
    detail: Mapped[str] = mapped_column(Text, default="")


# ── discovery: related articles, saved searches and alerts (the search index itself is
# engine-specific and lives outside the models: see search/sqlite_fts.py) ──


class ArticleTerm(Base):
    """One of an article's strongest content terms (hashed): the postings related articles
    are found by, so no request or store ever scans the corpus."""

    __tablename__ = "article_terms"
    __table_args__ = (Index("ix_article_terms_term", "term", "article_id"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    weight: Mapped[float] = mapped_column(Float)


class RelatedArticle(Base):
    """An article worth reading after another one (computed when either is stored)."""

    __tablename__ = "related_articles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    related_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score: Mapped[float] = mapped_column(Float)


class SavedSearch(Base):
    """A search kept by name: it has its own output feeds and, optionally, webhooks."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(String(500), default="")  # search/query.py language
    source_ids: Mapped[list | None] = mapped_column(JSON)
    asset_symbols: Mapped[list | None] = mapped_column(JSON)
    lang: Mapped[str | None] = mapped_column(String(20))
    # Alerts have looked at every article up to this id (new articles get higher ids).
    checked_up_to_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    webhooks: Mapped[list[AlertWebhook]] = relationship(
        back_populates="saved_search", cascade="all, delete-orphan", passive_deletes=True
    )


class AlertWebhook(Base):
    """Where to POST a saved search's new matches, and the secret that signs them."""

    __tablename__ = "alert_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    saved_search_id: Mapped[int] = mapped_column(
        ForeignKey("saved_searches.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    saved_search: Mapped[SavedSearch] = relationship(back_populates="webhooks")


class AlertDelivery(Base):
    """One article for one webhook: the delivery queue and its log (attempts, last error)."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "article_id"),
        Index("ix_alert_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("alert_webhooks.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    # pending, delivered, failed (attempts used up) or cancelled (the article was removed)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_http_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class HostSchedule(Base):
    """When the next request to a host may start, and its cooldown after a 429 or 503:
    shared by every worker on PostgreSQL (``storage/hostschedule.py``; unused on SQLite)."""

    __tablename__ = "host_schedule"

    host: Mapped[str] = mapped_column(Text, primary_key=True)  # host[:port], as fetched
    next_start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cooldown_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DataVersion(Base):
    """One row whose version moves with every write to what public pages show: triggers on
    the tracked tables (migration 0016) move it, so no write path can forget it."""

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    txid: Mapped[int | None] = mapped_column(BigInteger)  # PostgreSQL: the last mover


class RateLimitCounter(Base):
    """Hits of one key (a client address, or an address and an account) in the current
    window of one limit (``scope``: sign-in failures, removal requests); in the database so
    that every web process counts against the same limit (``storage/ratelimits.py``)."""

    __tablename__ = "rate_limit_counters"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    hits: Mapped[int] = mapped_column(Integer)


class PendingEntry(Base):
    """An entry a poll listed that is not stored yet: the inbox the page fetches drain.

    Written in the poll's own transaction, with the source's validators and next poll, and
    deleted in the transaction that stores the entry (or records it failed for good), so a
    process killed at any moment loses no entry (``storage/inbox.py``).
    """

    __tablename__ = "pending_entries"
    __table_args__ = (
        UniqueConstraint("source_id", "url"),
        Index("ix_pending_entries_due", "not_before", "source_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2048))
    entry: Mapped[dict] = mapped_column(JSON)  # the feed entry as listed
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # failed for a passing reason
    last_error: Mapped[str | None] = mapped_column(Text)
