"""The record that page stages pass along, from fetched HTML to a storable article."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lxml import etree

from wirebrief.extract.extractor import ExtractedPage
from wirebrief.extract.provenance import Origin
from wirebrief.feeds.parser import FeedEntry
from wirebrief.markets.types import AssetLink
from wirebrief.search.terms import TermVector
from wirebrief.summarize.tldr import Tldr


@dataclass
class ArticleDraft:
    """An article on its way through the page stages; each stage fills its part."""

    url: str
    raw_html: bytes | str
    content_type: str = ""
    entry: FeedEntry | None = None
    source_id: int | None = None
    page: ExtractedPage | None = None
    origin: Origin | None = None  # the first publisher: the end of origin_chain
    origin_chain: list[Origin] = field(default_factory=list)  # nearest copy first
    published: datetime | None = None
    modified: datetime | None = None
    author_tldr: list[str] = field(default_factory=list)  # the article's own key points
    text: str = ""
    html: str = ""
    reading_minutes: int = 0
    content_hash: str = ""
    lsh_buckets: list[int] = field(default_factory=list)
    story_features: dict | None = None  # what story grouping compares (JSON-ready)
    removed_boilerplate: list[tuple[str, str]] = field(default_factory=list)
    asset_links: list[AssetLink] = field(default_factory=list)  # best first
    tldr: Tldr | None = None  # author's or extractive; an LLM's replaces it after the stages
    related_terms: TermVector | None = None  # what related stories compare (search.terms)

    @property
    def title(self) -> str:
        """The page's title, else the feed's, else the URL."""
        if self.page and self.page.title:
            return self.page.title
        if self.entry and self.entry.title:
            return self.entry.title
        return self.url

    def portable(self) -> ArticleDraft:
        """Drop the parsed trees and raw bytes, so the draft can cross a process boundary."""
        self.raw_html = b""
        if self.page is not None:
            self.page = self.page.without_trees()
        return self

    @property
    def extracted(self) -> ExtractedPage:
        """The extraction result; only valid after the extract stage."""
        if self.page is None:
            raise RuntimeError("the extract stage has not run on this draft")
        return self.page

    @property
    def body(self) -> etree._Element:
        """The body tree that page stages edit; gone once the draft is made portable."""
        body = self.extracted.body
        if body is None:
            raise RuntimeError("the body tree was dropped; this draft is portable")
        return body
