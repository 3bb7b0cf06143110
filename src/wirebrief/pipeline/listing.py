"""The listing stages' data: what a poll knows of a source and what its feed or sitemap lists."""

from __future__ import annotations

from dataclasses import dataclass

from wirebrief.feeds.parser import FeedEntry, parse_feed
from wirebrief.feeds.sitemap import parse_sitemap

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MAX_SITEMAP_CHILDREN = 10


@dataclass(frozen=True)
class SourceSnapshot:
    """What a poll needs to know about a source (read in one short transaction)."""

    id: int
    name: str
    url: str
    kind: str
    etag: str | None
    last_modified: str | None
    fetch_pages: bool
    due: bool  # its next poll time has come


@dataclass(frozen=True)
class Listing:
    """The entries a feed or sitemap lists now, and any tolerated problem."""

    entries: list[FeedEntry]
    problem: str | None = None


def parse_listing(kind: str, body: bytes, url: str, content_type: str) -> tuple[Listing, list[str]]:
    """Stage: a feed or sitemap document to entries (and, for a sitemap index, child URLs)."""
    if kind == "sitemap":
        sitemap = parse_sitemap(body, url)
        return Listing(sitemap.entries, sitemap.problem), sitemap.children[:MAX_SITEMAP_CHILDREN]
    feed = parse_feed(body, url, content_type)
    return Listing(feed.entries, feed.problem), []
