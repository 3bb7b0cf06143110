"""Where an article first appeared: syndication footers and cross-site canonicals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import etree

from wirebrief.extract.body import block_text

_FOOTER = re.compile(
    r"^the post (?P<title>.+?) appeared (?:first )?on (?P<site>.+?)\.?$", re.IGNORECASE | re.DOTALL
)
_ORIGINALLY = re.compile(
    r"^(?:this (?:article|story|post) )?(?:was )?originally (?:published|appeared) "
    r"(?:on|in|at|by) (?P<site>[^.]{2,80})\.?$",
    re.IGNORECASE,
)
# Provenance notes sit at the end of an article; prose above may mention the words.
_TAIL_BLOCKS = 3


@dataclass(frozen=True)
class Origin:
    """The publication an article is a copy of."""

    name: str | None
    url: str | None


def find_origin(body: etree._Element, page_url: str, canonical_url: str | None) -> Origin | None:
    """The origin named by the page, or ``None`` when the page looks like the original.

    Run before cleaning: the footer that names the origin is removed afterwards.
    """
    for block in reversed(list(body)[-_TAIL_BLOCKS:]):
        text = block_text(block)
        match = _FOOTER.match(text) or _ORIGINALLY.match(text)
        if match:
            name = match.group("site").strip()
            return Origin(name=name, url=_link_to(block, name) or _foreign(canonical_url, page_url))
    foreign = _foreign(canonical_url, page_url)
    if foreign:
        return Origin(name=urlsplit(foreign).hostname, url=foreign)
    return None


def _link_to(block: etree._Element, site: str) -> str | None:
    """The footer's link to the original article, else its link to the origin's home page."""
    links = [(block_text(ref), ref.get("target")) for ref in block.iter("ref") if ref.get("target")]
    article_links = [target for text, target in links if text.casefold() != site.casefold()]
    if article_links:
        return article_links[0]
    return links[0][1] if links else None


def _foreign(candidate: str | None, page_url: str) -> str | None:
    if not candidate:
        return None
    if urlsplit(page_url).scheme not in {"http", "https"}:
        return None  # a saved file has no host to compare with
    if urlsplit(candidate).hostname != urlsplit(page_url).hostname:
        return candidate
    return None
