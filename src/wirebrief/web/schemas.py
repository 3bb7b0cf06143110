"""JSON shapes of the API (these generate the OpenAPI document at /docs)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from wirebrief.redaction import redact_text, redact_url
from wirebrief.storage.models import Article, Source
from wirebrief.storage.sources import SourceStats
from wirebrief.storage.stories import Page
from wirebrief.text import excerpt
from wirebrief.web.market_schemas import LinkedAssetOut


class OriginOut(BaseModel):
    """Where a reposted article first appeared."""

    name: str | None = Field(description="Publication that first published it.")
    url: str | None = Field(description="The original article's URL, when known.")


class TldrOut(BaseModel):
    """A TLDR: a one-line headline and a few key points, faithful to the text."""

    headline: str
    bullets: list[str]
    method: str = Field(
        description="author (the article's own key points), extractive (source sentences) "
        "or llm (checked against the source)."
    )
    note: str | None = Field(None, description="Why an LLM summary was not used, if asked.")

    @classmethod
    def of(cls, article: Article) -> TldrOut | None:
        """The article's TLDR, or ``None`` when it has none yet."""
        if not article.tldr_bullets:
            return None
        return cls(
            headline=article.tldr_headline or article.tldr_bullets[0],
            bullets=list(article.tldr_bullets),
            method=article.tldr_method or "extractive",
            note=article.tldr_note,
        )


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
    items_per_day: float | None = Field(
        description="What polling adapts to: entries per day its listing dated in the week "
        "before its last poll."
    )

    @classmethod
    def of(cls, source: Source) -> SourceOut:
        return cls.model_validate(source, from_attributes=True)

    # Public: a source's credentials stay with the fetcher (also where nested in an article).
    @field_validator("url")
    @classmethod
    def _without_credentials(cls, url: str) -> str:
        return redact_url(url)

    @field_validator("last_error")
    @classmethod
    def _error_without_credentials(cls, text: str | None) -> str | None:
        return redact_text(text) if text else text


class SourceListItemOut(SourceOut):
    """A followed feed and what it carried, as the reader's /sources page counts it."""

    articles: int = Field(description="Visible articles of its own (copied by others or not).")
    copies: int = Field(description="Visible copies of other outlets' articles it carried.")
    published_per_day: float | None = Field(
        description="Items per day over the week up to its newest item, from the stored "
        "publication times."
    )
    latest_published_at: datetime | None = Field(description="Its newest item's time.")

    @classmethod
    def with_stats(cls, source: Source, stats: SourceStats) -> SourceListItemOut:
        return cls(
            **SourceOut.of(source).model_dump(), articles=stats.articles, copies=stats.copies,
            published_per_day=stats.items_per_day, latest_published_at=stats.latest,
        )  # fmt: skip


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
    fetched_at: datetime = Field(description="When the desk first stored the article.")
    reading_minutes: int
    excerpt: str
    origin: OriginOut | None = Field(description="Set when the article is a repost.")
    story_id: int | None
    duplicate_of: int | None = Field(
        description="For a near-copy: the id of the article it copies (the origin's)."
    )

    @classmethod
    def of(cls, article: Article) -> ArticleSummaryOut:
        return cls(**_common(article))


class ArticleOut(ArticleSummaryOut):
    """One article with its text and sanitized HTML."""

    canonical_url: str | None
    description: str | None
    image_url: str | None
    authors: list[str] = Field(default_factory=list)
    modified_at: datetime | None
    origin_chain: list[OriginOut] = Field(
        default_factory=list, description="Copies it came through, nearest first; last: origin."
    )
    author_tldr: list[str] = Field(default_factory=list, description="The page's own key points.")
    updated_at: datetime
    text: str
    html: str = Field(description="Sanitized HTML of the body.")
    tldr: TldrOut | None = Field(description="Headline and key points; null until summarized.")
    assets: list[LinkedAssetOut] = Field(
        default_factory=list,
        description="Assets the article names: those it is about first (role about), then "
        "those it mentions in passing (role mention), each best first.",
    )

    @classmethod
    def of(cls, article: Article) -> ArticleOut:
        return cls(
            assets=LinkedAssetOut.of_article(article),
            **_common(article),
            canonical_url=article.canonical_url,
            description=article.description,
            image_url=article.image_url,
            authors=article.authors or [],
            modified_at=article.modified_at,
            origin_chain=[
                OriginOut(name=s.get("name"), url=s.get("url")) for s in article.origin_chain or []
            ],
            author_tldr=article.author_tldr or [],
            updated_at=article.updated_at,
            text=article.text,
            html=article.html,
            tldr=TldrOut.of(article),
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
        "duplicate_of": article.duplicate_of,
    }


_ROLE = Field(
    description="original (first published it; copies of it exist), copy (of another "
    "outlet's article), coverage (its own write-up, beside other outlets' write-ups), or "
    "empty for a story's only article."
)


class CarrierOut(BaseModel):
    """A publisher that carried a story."""

    name: str
    role: str = _ROLE
    copies: int = Field(description="Copies of its originals that were carried.")
    is_origin: bool = Field(description="True when role is original.")


class PageOut(BaseModel):
    """One page of a story's coverage."""

    article_id: int
    url: str
    source_name: str
    published_at: datetime | None
    title: str = Field(description="The page's own headline.")
    role: str = _ROLE
    is_origin: bool = Field(description="True when role is original.")

    @classmethod
    def of(cls, page: Page) -> PageOut:
        return cls(**vars(page), is_origin=page.is_origin)


class CoverageOut(PageOut):
    """One entry of a story's coverage: an article and the copies of it."""

    copies: list[PageOut] = Field(description="Copies of this article, earliest first.")


class StoryOut(BaseModel):
    """A story: one event, however many copies and write-ups."""

    id: int
    headline: str
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int = Field(description="Pages carrying the story, copies included.")
    source_count: int
    representative: ArticleSummaryOut | None
    carriers: list[CarrierOut] = Field(description="Publishers, originals first.")


class StoryDetailOut(StoryOut):
    """A story with a page of its coverage timeline."""

    timeline: list[CoverageOut] = Field(
        description="One entry per article, earliest first, each with its copies."
    )
    timeline_total: int = Field(description="Entries in the whole timeline.")
    limit: int
    offset: int


class StoryListOut(BaseModel):
    """A page of stories."""

    items: list[StoryOut]
    total: int
    limit: int
    offset: int
