"""Read XML sitemaps: plain and Google News ``<urlset>`` documents and ``<sitemapindex>``.

Sitemaps come from servers we do not trust, so the XML parser never expands entities,
never loads a DTD and never touches the network, and gzipped sitemaps are decompressed
under a size cap. Entries become the same :class:`FeedEntry` records that feeds produce.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from wirebrief.errors import FeedError
from wirebrief.feeds.parser import FeedEntry
from wirebrief.feeds.xmlsafety import neutralize_entities
from wirebrief.times import as_utc

DEFAULT_MAX_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit for one uncompressed file
DEFAULT_MAX_CHILDREN = 50

_GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_BYTES = 2048


@dataclass(frozen=True)
class Sitemap:
    """A parsed sitemap: page entries (``urlset``) or child sitemap URLs (``sitemapindex``)."""

    entries: list[FeedEntry]
    children: list[str]
    problem: str | None = None


def looks_like_sitemap(body: bytes) -> bool:
    """Cheap sniff: is the root element ``<urlset>`` or ``<sitemapindex>`` (gzipped or not)?"""
    head = body[:_SNIFF_BYTES]
    if head.startswith(_GZIP_MAGIC):
        try:
            head = zlib.decompressobj(wbits=31).decompress(body, _SNIFF_BYTES)
        except zlib.error:
            return False
    return _root_name(head) in {"urlset", "sitemapindex"}


def parse_sitemap(
    body: bytes,
    url: str,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_children: int = DEFAULT_MAX_CHILDREN,
) -> Sitemap:
    """Parse a sitemap; raise :class:`FeedError` when it is too large or not a sitemap."""
    if body.startswith(_GZIP_MAGIC):
        # A server may also send .xml.gz already decoded (Content-Encoding), so sniff bytes.
        body = _gunzip(body, url, max_bytes)
    elif len(body) > max_bytes:
        raise FeedError(f"{url}: the sitemap is larger than {max_bytes} bytes")
    if not body.strip():
        raise FeedError(f"{url}: the sitemap is empty")

    problems: list[str] = []
    body, entity_problem = neutralize_entities(body)  # the same guard feeds go through
    if entity_problem:
        problems.append("ignored the entity declarations in the DOCTYPE")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, recover=True, load_dtd=False
    )
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{url}: not a sitemap, the XML cannot be read ({exc})") from exc
    if root is None:
        raise FeedError(f"{url}: not a sitemap, the XML cannot be read")

    # Undeclared entities are the expected result of dropping the DOCTYPE, not damage.
    errors = [
        error
        for error in parser.error_log.filter_from_errors()
        if error.type != etree.ErrorTypes.ERR_UNDECLARED_ENTITY
    ]
    if any(error.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for error in errors):
        # A DOCTYPE we could not strip (e.g. UTF-16) still hit libxml2's entity limits.
        raise FeedError(f"{url}: refused: the sitemap's XML exceeds the parser's safety limits")
    if errors:
        first = errors[0]
        problems.append(f"malformed XML, read what was recoverable (line {first.line}: "
                        f"{first.message.strip()})")  # fmt: skip
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        problems.append("entity references were ignored, not expanded")

    name = _local(root)
    if errors and _drop_unfinished_last(root, body, "url" if name == "urlset" else "sitemap"):
        problems.append("dropped the last record, the document ends inside it")
    if name == "urlset":
        entries = _urlset_entries(root)
        return Sitemap(entries, [], "; ".join(problems) or None)
    if name == "sitemapindex":
        children, total = _index_children(root, max_children)
        if total > len(children):
            problems.append(f"kept the newest {len(children)} of {total} child sitemaps")
        return Sitemap([], children, "; ".join(problems) or None)
    raise FeedError(
        f"{url}: not a sitemap: the root element is <{name}>, expected <urlset> or <sitemapindex>"
    )


def _gunzip(body: bytes, url: str, max_bytes: int) -> bytes:
    """Decompress every gzip member, stopping as soon as the output passes ``max_bytes``."""
    out: list[bytes] = []
    size = 0
    data = body
    while data:
        decompressor = zlib.decompressobj(wbits=31)
        try:
            # max_length bounds memory per call, so a compression bomb stops at the cap.
            chunk = decompressor.decompress(data, max_bytes + 1 - size)
            while True:
                size += len(chunk)
                out.append(chunk)
                if size > max_bytes:
                    raise FeedError(
                        f"{url}: the gzipped sitemap is larger than {max_bytes} bytes "
                        "once decompressed"
                    )
                if not decompressor.unconsumed_tail:
                    break
                chunk = decompressor.decompress(decompressor.unconsumed_tail, max_bytes + 1 - size)
        except zlib.error as exc:
            raise FeedError(f"{url}: the gzipped sitemap is corrupt ({exc})") from exc
        if not decompressor.eof:
            raise FeedError(f"{url}: the gzipped sitemap is truncated")
        # Concatenated members are valid gzip; anything else after a member is padding.
        data = decompressor.unused_data
        if not data.startswith(_GZIP_MAGIC):
            break
    return b"".join(out)


def _drop_unfinished_last(root: etree._Element, body: bytes, name: str) -> bool:
    """Remove the last ``<url>``/``<sitemap>`` when the body stops before its end tag.

    Recovery closes the elements open at the end of a cut document, which would turn a cut
    ``<loc>`` into a wrong URL.
    """
    opening = list(re.finditer(rb"<(?:[\w.\-]+:)?" + name.encode() + rb"[\s>]", body))
    if not opening:
        return False
    closing = re.compile(rb"</(?:[\w.\-]+:)?" + name.encode() + rb"\s*>")
    if closing.search(body, opening[-1].end()):
        return False
    last = [node for node in root if _local(node) == name]
    if not last:
        return False
    root.remove(last[-1])
    return True


def _urlset_entries(root: etree._Element) -> list[FeedEntry]:
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for node in root:
        if _local(node) != "url":
            continue
        loc = _child_text(node, "loc", strict=True)
        if not loc or not _is_http(loc) or loc in seen:
            continue
        seen.add(loc)
        title = ""
        published = None
        news = _child(node, "news")
        if news is not None:
            title = _child_text(news, "title") or ""
            published = _w3c_datetime(_child_text(news, "publication_date"))
        entries.append(
            FeedEntry(
                url=loc,
                guid=loc,
                title=title,
                author=None,
                published=published,
                updated=_w3c_datetime(_child_text(node, "lastmod")),
                summary="",
                content_html="",
            )
        )
    return entries


def _index_children(root: etree._Element, max_children: int) -> tuple[list[str], int]:
    """Child sitemap URLs, newest ``lastmod`` first (undated ones last), and how many there were."""
    found: list[tuple[str, datetime | None]] = []
    seen: set[str] = set()
    for node in root:
        if _local(node) != "sitemap":
            continue
        loc = _child_text(node, "loc", strict=True)
        if not loc or not _is_http(loc) or loc in seen:
            continue
        seen.add(loc)
        found.append((loc, _w3c_datetime(_child_text(node, "lastmod"))))
    # sorted() stays stable with reverse=True, so equal dates keep document order.
    dated = sorted(
        ((loc, date) for loc, date in found if date is not None),
        key=lambda item: item[1],
        reverse=True,
    )
    ordered = [loc for loc, _ in dated] + [loc for loc, date in found if date is None]
    return ordered[: max(0, max_children)], len(found)


def _local(node: etree._Element) -> str:
    tag = node.tag
    if not isinstance(tag, str):
        return ""  # comments, processing instructions and entity references
    return tag.rpartition("}")[2] if tag.startswith("{") else tag.rpartition(":")[2]


def _child(node: etree._Element, name: str) -> etree._Element | None:
    # Matched by local name: publishers mix the 0.9, 0.84 and no-namespace variants.
    for child in node:
        if _local(child) == name:
            return child
    return None


def _child_text(node: etree._Element, name: str, *, strict: bool = False) -> str | None:
    """Text of the first child called ``name``; entity references are dropped, never expanded.

    With ``strict`` a value that contained an entity reference is unusable (a URL with a piece
    missing is a different URL), so ``None`` is returned.
    """
    child = _child(node, name)
    if child is None:
        return None
    parts = [child.text or ""]
    for grandchild in child:
        if isinstance(grandchild, etree._Entity):
            if strict:
                return None
        elif isinstance(grandchild.tag, str):
            # CDATA and nested markup (rare, but seen in titles) still count as text.
            parts.append("".join(_plain_text(grandchild)))
        parts.append(grandchild.tail or "")
    text = " ".join("".join(parts).split())
    return text or None


def _plain_text(node: etree._Element) -> list[str]:
    parts = [node.text or ""]
    for child in node:
        if isinstance(child.tag, str) and not isinstance(child, etree._Entity):
            parts.extend(_plain_text(child))
        parts.append(child.tail or "")
    return parts


def _is_http(url: str) -> bool:
    return url.lower().startswith(("http://", "https://")) and len(url) > len("https://")


_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def _w3c_datetime(value: str | None) -> datetime | None:
    """W3C datetime (an ISO 8601 profile) as an aware UTC datetime; naive values are UTC."""
    if not value:
        return None
    value = value.strip()
    partial = _PARTIAL_DATE.match(value)
    try:
        if partial:  # "2024" and "2024-05" are valid W3C dates that fromisoformat rejects
            return datetime(int(partial[1]), int(partial[2] or 1), 1, tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None
    return as_utc(parsed)


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_DOCTYPE = re.compile(rb"<!DOCTYPE(?:[^\[>]*\[.*?\])?[^>]*>", re.DOTALL | re.IGNORECASE)
_FIRST_TAG = re.compile(rb"<(?![?!])([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)")


def _root_name(head: bytes) -> str | None:
    """Local name of the first element in ``head``, skipping prolog, comments and DOCTYPE."""
    head = _DOCTYPE.sub(b"", _COMMENT.sub(b"", head))
    match = _FIRST_TAG.search(head)
    if not match:
        return None
    return match.group(1).decode("ascii", "replace").rpartition(":")[2]
