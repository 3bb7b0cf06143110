"""Run trafilatura on a page and keep what later stages need.

The body stays a tree (trafilatura's XML: ``p``, ``head``, ``list``/``item``,
``quote``, ``table``, ``hi``, ``ref``) so that cleaning works on blocks, not on
a flattened string, and HTML and text are rendered from the same cleaned tree.
Metadata is read by ``metadata.py``; the publication time comes from htmldate.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field, replace
from datetime import datetime

import htmldate
import lxml.html
import trafilatura
from courlan import fix_relative_urls
from lxml import etree
from trafilatura.settings import Document

from wirebrief.errors import ExtractionError
from wirebrief.extract.dates import has_time_of_day, parse_date
from wirebrief.extract.metadata import canonical, read_metadata

MIN_ARTICLE_WORDS = 15
_FALLBACK_BELOW_CHARS = 500  # twice trafilatura's own "too short" (min_extracted_size)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Comments dropped at parse time: trafilatura's tree cleaning would drop their tails
# ("had suffered<!-- --> months of ..." loses "months of ...").
_PARSER = lxml.html.HTMLParser(
    collect_ids=False, default_doctype=False, remove_comments=True, remove_pis=True
)
# htmldate with time: the page usually knows the minute, not just the day. The date in
# the URL is only a fallback (it has no time of day).
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass
class ExtractedPage:
    """What the extractor found on one page."""

    url: str
    title: str | None
    author: str | None
    site_name: str | None
    published: datetime | None  # page meta with a time of day, else htmldate
    lang: str | None
    description: str | None
    canonical_url: str | None  # normalised; the page's own URL when it declares none
    image: str | None
    body: etree._Element | None
    page: lxml.html.HtmlElement | None
    authors: list[str] = field(default_factory=list)
    modified: datetime | None = None
    meta_published: datetime | None = None  # page meta, the fallback after the feed

    def without_trees(self) -> ExtractedPage:
        """A copy without the lxml trees (they cannot be pickled)."""
        return replace(self, body=None, page=None)


def extract_page(html: str | bytes, url: str) -> ExtractedPage:
    """Extract body and metadata; raise :class:`ExtractionError` when there is no article."""
    page = parse_page(html, url)
    meta = read_metadata(page, url)
    # htmldate reads the same meta tags first; it only adds something when they lack a time.
    published = meta.published if has_time_of_day(meta.published) else _htmldate(page, url)
    body = choose_body(page, url)
    if body is None:
        raise ExtractionError(f"{url}: no article text found on the page")
    return ExtractedPage(
        url=url,
        title=meta.title,
        author=", ".join(meta.authors) or None,
        authors=meta.authors,
        site_name=meta.site_name,
        published=published,
        meta_published=meta.published,
        modified=meta.modified,
        lang=meta.lang,
        description=meta.description,
        canonical_url=meta.canonical_url or canonical(url, url),
        image=meta.image,
        body=body,
        page=page,
    )


def parse_page(html: str | bytes, url: str) -> lxml.html.HtmlElement:
    """The page's tree, without comments; :class:`ExtractionError` when it is not HTML."""
    if isinstance(html, str):
        html = _XML_DECLARATION.sub("", html, count=1)  # lxml refuses it on str input
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{url}: not a readable HTML page ({exc})") from exc


def choose_body(
    page: lxml.html.HtmlElement, url: str, *, precision: bool = True
) -> etree._Element | None:
    """The article's body tree: fast mode, and the full comparison when its text is short."""
    # Fast mode first, in two thirds of the time; trafilatura's comparison with its fallback
    # extractors (readability, jusText) only when the fast text is short, the sign of a
    # missed article. On the benchmark the two modes differed only on pages where the fast
    # text was under 300 characters.
    body = article_body(page, url, fast=True, precision=precision)
    if body is None or len(_text(body)) < _FALLBACK_BELOW_CHARS:
        fuller = article_body(page, url, fast=False, precision=precision)
        body = fuller if fuller is not None else body
    return body


def article_body(
    page: lxml.html.HtmlElement, url: str, *, fast: bool, precision: bool = True
) -> etree._Element | None:
    """trafilatura's body tree (it works on a copy of ``page``), or ``None`` when it finds
    no article or one too short to be one.
    """
    # No url: trafilatura would resolve every link of the page before choosing the
    # article (a tenth of its time); the few links kept are resolved below instead.
    document = trafilatura.bare_extraction(
        page,
        fast=fast,
        with_metadata=False,  # metadata.py reads it, at a fraction of the cost
        include_formatting=True,
        include_links=True,
        include_tables=True,
        include_comments=False,
        # Precision mode drops more navigation and teaser blocks; on the benchmark it
        # gains more F1 than any other option (benchmarks/extraction_cv.py).
        favor_precision=precision,
    )
    if not isinstance(document, Document) or document.body is None or not len(document.body):
        return None
    if len(_text(document.body).split()) < MIN_ARTICLE_WORDS:
        return None  # a menu or a caption is not an article
    _resolve_links(document.body, url)
    return document.body


def _resolve_links(body: etree._Element, url: str) -> None:
    """Make the body's link targets absolute against the page URL (malformed ones kept)."""
    for ref in body.iter("ref"):
        target = ref.get("target")
        if target:
            with contextlib.suppress(ValueError):
                ref.set("target", fix_relative_urls(url, target))


def _text(body: etree._Element) -> str:
    return " ".join(body.itertext())


def _htmldate(page: lxml.html.HtmlElement, url: str) -> datetime | None:
    """The original publication date by htmldate, with the time and zone when the page has it.

    No extensive search: on the benchmark's 109 pages it found one more date and one more
    time of day, for three times the cost (about a sixth of bare trafilatura's time per
    page); the feed's time, which comes next, usually has the time of day anyway.
    """
    try:
        found = htmldate.find_date(
            page,
            url=url,
            original_date=True,
            extensive_search=False,
            outputformat=_DATE_FORMAT,
            deferred_url_extractor=True,
        )
    except ValueError:  # htmldate raises on some malformed trees
        return None
    return parse_date(found)
