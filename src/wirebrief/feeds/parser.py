"""Parse RSS, Atom and JSON Feed documents into :class:`ParsedFeed`.

feedparser does the XML formats (it tolerates broken XML as far as it can and
reports why in ``bozo_exception``); feedparser 6 cannot read JSON Feed, so
fastfeedparser reads those. This module turns their loose dictionaries into
typed records and decides when a document is not a feed at all.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import fastfeedparser
import feedparser

from wirebrief.errors import FeedError


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, before its page is fetched."""

    url: str
    guid: str
    title: str
    author: str | None
    published: datetime | None
    updated: datetime | None
    summary: str
    content_html: str

    @property
    def fingerprint(self) -> str:
        """Changes whenever the publisher edits the entry: used to skip unchanged items."""
        parts = [self.url, self.title, self.summary, self.content_html]
        parts.append(self.updated.isoformat() if self.updated else "")
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class ParsedFeed:
    """A feed document: its title, home page, entries and any tolerated problem."""

    title: str
    link: str | None
    entries: list[FeedEntry]
    problem: str | None = None


_FEED_MEDIA_TYPES = {
    "application/rss+xml", "application/atom+xml", "application/feed+json",
    "application/rdf+xml", "application/xml", "text/xml", "application/json",
}  # fmt: skip


def looks_like_feed(content_type: str, body: bytes) -> bool:
    """Cheap sniff: does this response look like a feed rather than an HTML page?"""
    if content_type.split(";")[0].strip().lower() in _FEED_MEDIA_TYPES:
        return True
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")) or (
        head.startswith(b"{") and b"jsonfeed.org" in body[:4096]
    )


def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a feed document; raise :class:`FeedError` when nothing usable is in it."""
    if not body.strip():
        raise FeedError(f"{url}: the feed is empty")
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _parse_json_feed(body, url)
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    problem = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    if not parsed.get("version") and not parsed.entries:
        detail = f" ({problem})" if problem else ""
        raise FeedError(f"{url}: not an RSS, Atom or JSON feed{detail}")
    entries = [entry for entry in (_entry(raw) for raw in parsed.entries) if entry]
    feed = parsed.get("feed", {})
    return ParsedFeed(
        title=(feed.get("title") or "").strip() or url,
        link=feed.get("link"),
        entries=entries,
        problem=problem,
    )


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        parsed = fastfeedparser.parse(body)
    except Exception as exc:  # the parser raises ValueError and JSON errors alike
        raise FeedError(f"{url}: not a readable JSON Feed ({exc})") from exc
    feed = parsed.get("feed", {})
    entries = [entry for entry in (_entry(raw) for raw in parsed.get("entries", [])) if entry]
    return ParsedFeed((feed.get("title") or "").strip() or url, feed.get("link") or None, entries)


def _entry(raw: dict) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    if not link.startswith(("http://", "https://")):
        return None  # an item without a fetchable link cannot become an article
    content = raw.get("content") or []
    return FeedEntry(
        url=link,
        guid=(raw.get("id") or link).strip(),
        title=(raw.get("title") or "").strip(),
        author=(raw.get("author") or "").strip() or None,
        # dict.get: FeedParserDict maps a missing "updated" to "published", with a warning.
        published=_datetime(dict.get(raw, "published_parsed") or dict.get(raw, "published")),
        updated=_datetime(dict.get(raw, "updated_parsed") or dict.get(raw, "updated")),
        summary=(raw.get("summary") or raw.get("description") or "").strip(),
        content_html=(content[0].get("value") or "") if content else "",
    )


def _datetime(value: object) -> datetime | None:
    """feedparser gives UTC ``time.struct_time``; fastfeedparser gives ISO 8601 strings."""
    if not value:
        return None
    try:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # type: ignore[arg-type]
    except (OverflowError, ValueError, TypeError):
        return None


def _describe(exception: object) -> str:
    return f"{type(exception).__name__}: {exception}" if exception else "malformed feed"
