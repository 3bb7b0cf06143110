"""Feeds we publish: RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one neutral item list.

Callers build :class:`FeedMeta` and :class:`FeedItem` (saved searches, and any page that
wants a feed) and call :func:`render`; the XML is built with ElementTree, so every value
is escaped, and characters XML forbids are dropped first.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from wirebrief import __version__
from wirebrief.text import excerpt
from wirebrief.times import as_utc

if TYPE_CHECKING:
    from wirebrief.storage.models import Article

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "Wirebrief"
# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class FeedItem:
    """One entry, whatever the format."""

    id: str  # stable and unique: the reader's URL of the article is a good one
    title: str
    url: str  # where the reader shows it
    origin_url: str | None = None  # the original publisher's page
    origin_name: str | None = None
    summary: str = ""  # plain text: the TLDR, else an excerpt
    tldr: Sequence[str] = ()  # the TLDR bullets, shown as a list
    published: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    source_name: str | None = None


@dataclass(frozen=True)
class FeedMeta:
    """The feed itself."""

    title: str
    home_url: str  # the HTML page the feed follows
    feed_url: str  # this feed's own URL (also its id)
    description: str = ""
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))


def render(kind: str, meta: FeedMeta, items: Sequence[FeedItem]) -> tuple[bytes, str]:
    """``(body, content type)`` of the feed in ``kind``: rss, atom or json."""
    try:
        renderer, content_type = FORMATS[kind]
    except KeyError:
        raise ValueError(f"unknown feed format {kind!r}; use {', '.join(FORMATS)}") from None
    return renderer(meta, items), content_type


def render_rss(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    """RSS 2.0, with an atom:link to itself."""
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = ET.SubElement(rss, "channel")
    _text(channel, "title", meta.title)
    _text(channel, "link", meta.home_url)
    _text(channel, "description", meta.description or meta.title)
    self_link = {"href": meta.feed_url, "rel": "self", "type": "application/rss+xml"}
    ET.SubElement(channel, "atom:link", self_link)
    _text(channel, "lastBuildDate", format_datetime(as_utc(meta.updated)))
    _text(channel, "generator", f"{GENERATOR} {__version__}")
    for item in items:
        node = ET.SubElement(channel, "item")
        _text(node, "title", item.title)
        _text(node, "link", item.url)
        _text(node, "guid", item.id, isPermaLink="true" if item.id == item.url else "false")
        _text(node, "description", content_html(item))
        if item.published:
            _text(node, "pubDate", format_datetime(as_utc(item.published)))
        if item.source_name:
            _text(node, "category", item.source_name)
    return _xml(rss)


def render_atom(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    """Atom 1.0; the origin of an entry is its ``via`` link."""
    sub = _text
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    sub(feed, "id", meta.feed_url)
    sub(feed, "title", meta.title)
    if meta.description:
        sub(feed, "subtitle", meta.description)
    sub(feed, "updated", _iso(meta.updated))
    sub(feed, "link", href=meta.home_url, rel="alternate", type="text/html")
    sub(feed, "link", href=meta.feed_url, rel="self", type="application/atom+xml")
    sub(sub(feed, "author"), "name", GENERATOR)
    sub(feed, "generator", GENERATOR, version=__version__)
    for item in items:
        entry = sub(feed, "entry")
        sub(entry, "id", item.id)
        sub(entry, "title", item.title)
        sub(entry, "updated", _iso(item.updated or item.published or meta.updated))
        if item.published:
            sub(entry, "published", _iso(item.published))
        sub(entry, "link", href=item.url, rel="alternate", type="text/html")
        if item.origin_url:
            sub(entry, "link", href=item.origin_url, rel="via", type="text/html")
        if item.author or item.source_name:
            sub(sub(entry, "author"), "name", item.author or item.source_name)
        if item.summary:
            sub(entry, "summary", item.summary)
        sub(entry, "content", content_html(item), type="html")
    return _xml(feed)


def render_json_feed(meta: FeedMeta, items: Sequence[FeedItem]) -> bytes:
    """JSON Feed 1.1; the origin of an item is its ``external_url``."""
    entries: list[dict[str, object]] = []
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": meta.title,
        "home_page_url": meta.home_url,
        "feed_url": meta.feed_url,
        "items": entries,
    }
    if meta.description:
        feed["description"] = meta.description
    for item in items:
        entry: dict[str, object] = {
            "id": item.id,
            "url": item.url,
            "title": item.title,
            "content_html": content_html(item),
        }
        if item.origin_url:
            entry["external_url"] = item.origin_url
        if item.summary:
            entry["summary"] = item.summary
        if item.published:
            entry["date_published"] = _iso(item.published)
        if item.updated:
            entry["date_modified"] = _iso(item.updated)
        if item.author or item.source_name:
            entry["authors"] = [{"name": item.author or item.source_name}]
        if item.source_name:
            entry["tags"] = [item.source_name]
        entries.append(entry)
    return json.dumps(feed, ensure_ascii=False, indent=1).encode()


def content_html(item: FeedItem) -> str:
    """The entry's HTML: the TLDR (headline and bullets), then where it was first published."""
    parts = []
    if item.summary:
        parts.append(f"<p>{escape(item.summary)}</p>")
    if item.tldr:
        parts.append("<ul>" + "".join(f"<li>{escape(b)}</li>" for b in item.tldr) + "</ul>")
    if item.origin_url:
        name = escape(item.origin_name or item.origin_url)
        parts.append(
            f'<p>Originally published by <a href="{escape(item.origin_url)}">{name}</a></p>'
        )
    parts.append(f'<p><a href="{escape(item.url)}">Read it on Wirebrief</a></p>')
    return "".join(parts)


FORMATS: dict[str, tuple[Callable[[FeedMeta, Sequence[FeedItem]], bytes], str]] = {
    "rss": (render_rss, "application/rss+xml; charset=utf-8"),
    "atom": (render_atom, "application/atom+xml; charset=utf-8"),
    "json": (render_json_feed, "application/feed+json; charset=utf-8"),
}


def _text(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, tag, {k: _NOT_XML.sub("", v) for k, v in attrs.items()})
    if text is not None:
        node.text = _NOT_XML.sub("", text)
    return node


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _iso(value: datetime) -> str:
    return as_utc(value).isoformat().replace("+00:00", "Z")


def article_item(article: Article, base_url: str) -> FeedItem:
    """A stored article as a feed item: the reader's page, its TLDR and its origin."""
    url = f"{base_url.rstrip('/')}/articles/{article.id}"
    source = article.source.name if article.source else article.site_name
    bullets = [str(b) for b in article.tldr_bullets or []]
    # A TLDR without a short line of its own falls back to the title: not said twice.
    tldr_line = article.tldr_headline if article.tldr_headline != article.title else None
    return FeedItem(
        id=url,
        title=article.title,
        url=url,
        origin_url=article.origin_url or article.url,
        origin_name=article.origin_name or source,
        summary=tldr_line or excerpt(article.text, 300),
        tldr=bullets,
        published=article.published_at,
        updated=article.updated_at,
        author=article.author,
        source_name=source,
    )
