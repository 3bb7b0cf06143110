"""Parse RSS, Atom and JSON Feed documents into :class:`ParsedFeed`.

Two parsers, each where it is best. fastfeedparser (lxml underneath) reads every
well-formed feed and JSON Feed: on 200 real feeds it took 0.14 s where feedparser
took 19.5 s. A feed that is not well-formed XML goes to feedparser, which
recovers more of a broken document and says what was wrong (``bozo_exception``).
This module turns their loose dictionaries into typed records and decides when a
document is not a feed at all.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import fastfeedparser
import feedparser
from lxml import etree

from wirebrief.errors import FeedError
from wirebrief.feeds.xmlsafety import neutralize_entities
from wirebrief.times import as_utc


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

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON values (the inbox, job arguments)."""
        data = asdict(self)
        for key in ("published", "updated"):
            data[key] = data[key].isoformat() if data[key] else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeedEntry:
        """The inverse of :meth:`to_json`."""
        values = dict(data)
        for key in ("published", "updated"):
            values[key] = datetime.fromisoformat(values[key]) if values.get(key) else None
        return cls(**values)


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
    safe_body, entity_problem = neutralize_entities(body)
    if _well_formed(safe_body):
        try:
            fast = fastfeedparser.parse(safe_body)
        except Exception:  # not a feed it knows: feedparser decides below
            fast = None
        if fast is not None:
            return _parsed(fast, url, entity_problem)
    # A re-encoded body (UTF-16 → UTF-8) must not be read with the header's old charset.
    headers = {"content-type": content_type.split(";")[0]} if content_type else {}
    parsed = feedparser.parse(safe_body, response_headers=headers, sanitize_html=False)
    problem = _describe(parsed.get("bozo_exception")) if parsed.get("bozo") else None
    problem = "; ".join(p for p in (entity_problem, problem) if p) or None
    if not parsed.get("version") and not parsed.entries:
        detail = f" ({problem})" if problem else ""
        raise FeedError(f"{url}: not an RSS, Atom or JSON feed{detail}")
    return _parsed(parsed, url, problem)


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        parsed = fastfeedparser.parse(body)
    except Exception as exc:  # the parser raises ValueError and JSON errors alike
        raise FeedError(f"{url}: not a readable JSON Feed ({exc})") from exc
    return _parsed(parsed, url, None)


def _parsed(parsed: dict, url: str, problem: str | None) -> ParsedFeed:
    feed = parsed.get("feed", {})
    entries = [entry for entry in (_entry(raw) for raw in parsed.get("entries", [])) if entry]
    title = (feed.get("title") or "").strip() or url
    return ParsedFeed(title, feed.get("link") or None, entries, problem)


_STRICT_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


def _well_formed(body: bytes) -> bool:
    """True when strict XML parsing succeeds (fast: libxml2, no tree kept)."""
    try:
        etree.fromstring(body, _STRICT_XML)
    except (etree.XMLSyntaxError, ValueError):
        return False
    return True


def _entry(raw: dict) -> FeedEntry | None:
    link = (raw.get("link") or "").strip()
    if not link.startswith(("http://", "https://")):
        return None  # an item without a fetchable link cannot become an article
    content = raw.get("content") or []
    summary = (raw.get("summary") or raw.get("description") or "").strip()
    content_html = (content[0].get("value") or "") if content else ""
    if content_html.strip() == summary:
        content_html = ""  # fastfeedparser copies <description>; feedparser does not
    return FeedEntry(
        url=link,
        guid=(raw.get("id") or link).strip(),
        title=(raw.get("title") or "").strip(),
        author=(raw.get("author") or "").strip() or None,
        # dict.get: FeedParserDict maps a missing "updated" to "published", with a warning.
        published=_datetime(dict.get(raw, "published_parsed") or dict.get(raw, "published")),
        updated=_datetime(dict.get(raw, "updated_parsed") or dict.get(raw, "updated")),
        summary=summary,
        content_html=content_html,
    )


def _datetime(value: object) -> datetime | None:
    """feedparser gives UTC ``time.struct_time``; fastfeedparser gives ISO 8601 strings."""
    if not value:
        return None
    try:
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value)
            return as_utc(parsed)
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)  # type: ignore[arg-type]
    except (OverflowError, ValueError, TypeError):
        return None


def _describe(exception: object) -> str:
    return f"{type(exception).__name__}: {exception}" if exception else "malformed feed"
