"""What is behind a URL a user wants to follow: a feed, a sitemap, or a page?"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.html

from wirebrief.errors import FeedError, FetchError
from wirebrief.feeds.discovery import discover_feeds
from wirebrief.feeds.parser import looks_like_feed, parse_feed
from wirebrief.feeds.sitemap import looks_like_sitemap
from wirebrief.fetch import Fetcher

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/feed+json, */*;q=0.5"


@dataclass(frozen=True)
class ProbedSource:
    """How to follow a URL: its kind, the URL to poll, a title, and how we found out."""

    kind: str  # feed, sitemap or page
    url: str
    title: str
    note: str


async def probe_source(fetcher: Fetcher, url: str) -> ProbedSource:
    """Fetch ``url`` once and decide; an HTML page is searched for ``<link rel=alternate>``."""
    fetched = await fetcher.fetch(url, accept=FEED_ACCEPT)
    host = urlsplit(fetched.final_url).hostname or url
    if looks_like_sitemap(fetched.body):
        return ProbedSource("sitemap", url, host, "a sitemap")
    if looks_like_feed(fetched.content_type, fetched.body):
        feed = parse_feed(fetched.body, fetched.final_url, fetched.content_type)
        return ProbedSource(
            "feed", url, feed.title or host, f"a feed with {len(feed.entries)} items"
        )
    for candidate in discover_feeds(fetched.body, fetched.final_url):
        try:
            found = await fetcher.fetch(candidate.url, accept=FEED_ACCEPT)
            feed = parse_feed(found.body, found.final_url, found.content_type)
        except (FeedError, FetchError):
            continue  # a dead or broken link: try the next candidate
        return ProbedSource(
            "feed",
            candidate.url,
            feed.title or candidate.title or host,
            f"found the feed {candidate.url} through <link rel=alternate> on the page",
        )
    return ProbedSource(
        "page", url, _page_title(fetched.body) or host, "a single page (no feed found)"
    )


def _page_title(body: bytes) -> str | None:
    try:
        title = lxml.html.document_fromstring(body).findtext(".//title")
    except (lxml.etree.ParserError, ValueError):
        return None
    return " ".join(title.split()) if title else None
