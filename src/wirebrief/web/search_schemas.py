"""JSON shapes of search, related articles and saved searches (in the OpenAPI document)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from wirebrief.web.schemas import ArticleSummaryOut


class SearchResultOut(BaseModel):
    """One hit: the article standing for its story."""

    article: ArticleSummaryOut
    score: float | None = Field(
        description="Relevance within this query, higher is better; null when sorted by time."
    )
    title_html: str = Field(description="The title, HTML-escaped, with matches in <mark>.")
    snippet_html: str = Field(description="A passage, HTML-escaped, with matches in <mark>.")


class SearchOut(BaseModel):
    """A page of search results, one per story."""

    query: str = Field(description="The query as understood (normalised).")
    sort: str = Field(description="relevance or time.")
    items: list[SearchResultOut]
    limit: int
    offset: int
    has_more: bool = Field(description="Whether another page follows.")


class RelatedOut(BaseModel):
    """An article from another story, worth reading after this one."""

    article: ArticleSummaryOut
    score: float = Field(description="Similarity of content and assets, weighed by recency.")


class RelatedListOut(BaseModel):
    """Up to six related stories, best first; never the article's own story."""

    items: list[RelatedOut]


class SavedSearchOut(BaseModel):
    """A saved search and its feeds."""

    id: int
    name: str
    query: str
    sources: list[int]
    assets: list[str]
    lang: str | None
    feeds: dict[str, str] = Field(description="Feed URLs by format: rss, atom, json.")
