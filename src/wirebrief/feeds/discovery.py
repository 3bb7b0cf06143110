"""Find the feeds a web page advertises with ``<link rel="alternate" type="...">``."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree


@dataclass(frozen=True)
class DiscoveredFeed:
    """A feed linked from a page: absolute URL, its link title and declared media type."""

    url: str
    title: str | None
    media_type: str


FEED_MEDIA_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
    }
)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.I)


def discover_feeds(html: bytes | str, base_url: str) -> list[DiscoveredFeed]:
    """Feeds linked from ``html``, site feeds before comment feeds; never raises on bad input."""
    try:
        document = _parse(html)
    except Exception:  # lxml raises several types (and ValueError) for hopeless input
        return []
    if document is None:
        return []

    base = base_url
    for node in document.iter("base"):
        href = (node.get("href") or "").strip()
        if href:
            base = urljoin(base_url, href)
            break  # only the first <base href> counts, as in browsers

    feeds: list[DiscoveredFeed] = []
    comments: list[DiscoveredFeed] = []
    seen: set[str] = set()
    for link in document.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        media_type = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" not in rel or media_type not in FEED_MEDIA_TYPES:
            continue
        url = _absolute(link.get("href"), base)
        if url is None or url in seen:
            continue
        if media_type == "application/json" and "/wp-json/" in url:
            continue  # WordPress links its REST API record of the page this way; not a feed
        seen.add(url)
        title = " ".join((link.get("title") or "").split()) or None
        feed = DiscoveredFeed(url, title, media_type)
        (comments if _is_comment_feed(feed) else feeds).append(feed)
    return feeds + comments


def _parse(html: bytes | str) -> etree._Element | None:
    # Decoding here rather than in libxml2: it falls back to Latin-1 for undeclared UTF-8,
    # and rejects str input that carries an XML encoding declaration.
    text = html if isinstance(html, str) else _decode(html)
    if not text.strip():
        return None
    parser = lxml.html.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True)
    return lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)


def _decode(data: bytes) -> str:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):  # fmt: skip
        if data.startswith(bom):
            return data.decode(encoding, "replace")
    declared = _META_CHARSET.search(data[:4096])
    if declared:
        try:
            encoding = codecs.lookup(declared.group(1).decode("ascii")).name
        except LookupError:
            encoding = ""  # an unknown charset name: guess as if none were declared
        # As in browsers (WHATWG Encoding): Latin-1 and ASCII labels mean windows-1252, and
        # a UTF-16/32 <meta> is ignored, since bytes that could declare it are ASCII-based.
        if encoding in ("iso8859-1", "ascii"):
            encoding = "cp1252"
        if encoding and not encoding.startswith(("utf-16", "utf-32")):
            return data.decode(encoding, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("windows-1252", "replace")


def _absolute(href: str | None, base: str) -> str | None:
    href = (href or "").strip()
    if not href:
        return None
    try:
        url = urldefrag(urljoin(base, href)).url
        parts = urlsplit(url)
    except ValueError:  # e.g. an invalid IPv6 literal in the host
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def _is_comment_feed(feed: DiscoveredFeed) -> bool:
    # WordPress and friends title them "... Comments Feed"; untitled ones show in the path.
    title = (feed.title or "").lower()
    return "comments" in title or "/comments/feed" in urlsplit(feed.url).path.lower()
