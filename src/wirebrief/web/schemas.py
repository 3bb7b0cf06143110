"""JSON shapes of the API (these generate the OpenAPI document at /docs)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from wirebrief.storage.models import Article, Source
from wirebrief.web.templating import excerpt


class OriginOut(BaseModel):
    """Where a reposted article first appeared."""

    name: str | None = Field(description="Publication that first published it.")
    url: str | None = Field(description="The original article's URL, when known.")


class SourceOut(BaseModel):
    """A followed feed."""

    id: int
    name: str
    url: str
    kind: str = Field(description="feed, sitemap, page or warc.")
    is_demo: bool = Field(description="True for the bundled sample newsroom.")
    enabled: bool
    health: str = Field(description="new, healthy, failing, unhealthy, paused or blocked.")
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_status: str | None
    last_error: str | None
    last_error_reason: str | None = Field(description="timeout, http_error, too_large, …")
    consecutive_failures: int
    next_poll_at: datetime | None
    items_per_day: float | None = Field(description="Publishing rate over the last week.")

    @classmethod
    def of(cls, source: Source) -> SourceOut:
        return cls.model_validate(source, from_attributes=True)


class ArticleSummaryOut(BaseModel):
    """An article in a list."""

    id: int
    url: str
    title: str
    source: SourceOut | None
    site_name: str | None
    author: str | None
    lang: str | None
    published_at: datetime | None
    fetched_at: datetime
    reading_minutes: int
    excerpt: str
    origin: OriginOut | None = Field(description="Set when the article is a repost.")
    story_id: int | None

    @classmethod
    def of(cls, article: Article) -> ArticleSummaryOut:
        return cls(**_common(article))


class ArticleOut(ArticleSummaryOut):
    """One article with its text and sanitized HTML."""

    canonical_url: str | None
    description: str | None
    image_url: str | None
    updated_at: datetime
    text: str
    html: str = Field(description="Sanitized HTML of the body.")

    @classmethod
    def of(cls, article: Article) -> ArticleOut:
        return cls(
            **_common(article),
            canonical_url=article.canonical_url,
            description=article.description,
            image_url=article.image_url,
            updated_at=article.updated_at,
            text=article.text,
            html=article.html,
        )


class ArticleListOut(BaseModel):
    """A page of articles."""

    items: list[ArticleSummaryOut]
    total: int
    limit: int
    offset: int


def _common(article: Article) -> dict:
    origin = (
        OriginOut(name=article.origin_name, url=article.origin_url)
        if article.origin_name or article.origin_url
        else None
    )
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "source": SourceOut.of(article.source) if article.source else None,
        "site_name": article.site_name,
        "author": article.author,
        "lang": article.lang,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "reading_minutes": article.reading_minutes,
        "excerpt": excerpt(article.text),
        "origin": origin,
        "story_id": article.story_id,
    }
