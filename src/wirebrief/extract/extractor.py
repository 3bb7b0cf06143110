"""Run trafilatura on a page and keep what later stages need.

The body stays a tree (trafilatura's XML: ``p``, ``head``, ``list``/``item``,
``quote``, ``table``, ``hi``, ``ref``) so that cleaning works on blocks, not on
a flattened string, and HTML and text are rendered from the same cleaned tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import lxml.html
import trafilatura
from lxml import etree

from wirebrief.errors import ExtractionError

MIN_ARTICLE_WORDS = 15
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")

# htmldate with time: the page usually knows the minute, not just the day.
_DATE_PARAMS = {
    "extensive_search": True,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


@dataclass
class ExtractedPage:
    """What the extractor found on one page."""

    url: str
    title: str | None
    author: str | None
    site_name: str | None
    published: datetime | None
    lang: str | None
    description: str | None
    canonical_url: str | None
    image: str | None
    body: etree._Element | None
    page: lxml.html.HtmlElement | None

    def without_trees(self) -> ExtractedPage:
        """A copy without the lxml trees (they cannot be pickled)."""
        return replace(self, body=None, page=None)


def extract_page(html: str | bytes, url: str) -> ExtractedPage:
    """Extract body and metadata; raise :class:`ExtractionError` when there is no article."""
    if isinstance(html, str):
        html = _XML_DECLARATION.sub("", html, count=1)  # lxml refuses it on str input
    try:
        page = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{url}: not a readable HTML page ({exc})") from exc
    document = trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_comments=False,
        date_extraction_params=_DATE_PARAMS,
    )
    if document is None or document.body is None or not len(document.body):
        raise ExtractionError(f"{url}: no article text found on the page")
    if len(" ".join(document.body.itertext()).split()) < MIN_ARTICLE_WORDS:
        # trafilatura's fallback can return a menu or a caption as the "article".
        raise ExtractionError(f"{url}: no article text found on the page (only a few words)")
    return ExtractedPage(
        url=url,
        title=_clean(document.title),
        author=_clean(document.author),
        site_name=_clean(document.sitename),
        published=parse_date(document.date),
        lang=_clean(document.language) or _declared_language(page),
        description=_clean(document.description),
        canonical_url=_clean(document.url) if document.url != url else None,
        image=_clean(document.image),
        body=document.body,
        page=page,
    )


def parse_date(value: str | None) -> datetime | None:
    """An aware datetime from htmldate's output; a bare date is taken as midnight UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def has_time_of_day(value: datetime | None) -> bool:
    """False for dates that htmldate could only give to the day."""
    return value is not None and (value.hour, value.minute, value.second) != (0, 0, 0)


def _declared_language(page: lxml.html.HtmlElement) -> str | None:
    lang = page.get("lang") or page.get("xml:lang")
    return lang.split("-")[0].lower() if lang else None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None
