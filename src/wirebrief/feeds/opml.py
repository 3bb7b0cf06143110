"""OPML 2.0 subscription lists: read them in, write them out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

from wirebrief.errors import FeedError


@dataclass(frozen=True)
class Subscription:
    """One feed from an OPML outline."""

    url: str
    title: str | None = None
    site_url: str | None = None
    category: str | None = None


def read_opml(data: bytes) -> list[Subscription]:
    """Every outline with an ``xmlUrl``, with the category of its parent outline."""
    try:
        root = SafeElementTree.fromstring(data)
    except Exception as exc:  # defusedxml raises several types for hostile or broken XML
        raise FeedError(f"not a readable OPML file: {exc}") from exc
    body = root.find("body")
    if root.tag != "opml" or body is None:
        raise FeedError("not an OPML file: expected <opml> with a <body>")
    subscriptions: list[Subscription] = []
    _walk(body, None, subscriptions)
    return subscriptions


def _walk(node: ElementTree.Element, category: str | None, out: list[Subscription]) -> None:
    for outline in node.findall("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        title = outline.get("title") or outline.get("text")
        if url:
            out.append(Subscription(url, title, outline.get("htmlUrl"), category))
        _walk(outline, title if not url else category, out)


def write_opml(subscriptions: list[Subscription], title: str = "Wirebrief sources") -> bytes:
    """An OPML 2.0 document listing ``subscriptions``, grouped by category."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = datetime.now(UTC).strftime(
        "%a, %d %b %Y %H:%M:%S +0000"
    )
    body = ElementTree.SubElement(root, "body")
    groups: dict[str | None, ElementTree.Element] = {None: body}
    for sub in subscriptions:
        parent = groups.get(sub.category)
        if parent is None:
            parent = ElementTree.SubElement(body, "outline", text=sub.category or "")
            groups[sub.category] = parent
        attributes = {"type": "rss", "text": sub.title or sub.url, "xmlUrl": sub.url}
        if sub.title:
            attributes["title"] = sub.title
        if sub.site_url:
            attributes["htmlUrl"] = sub.site_url
        ElementTree.SubElement(parent, "outline", attributes)
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
