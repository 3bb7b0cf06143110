"""The page stages: CPU work on one page, run in worker processes, never touching the database.

Each stage takes an :class:`ArticleDraft` and the :class:`PageContext` and returns the
draft; ``PAGE_STAGES`` is their order.
"""

from __future__ import annotations

import hashlib
import html as html_lib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wirebrief.article import ArticleDraft
from wirebrief.clean.cleaner import article_blocks, clean_body
from wirebrief.dedupe.minhash import band_buckets, lead_buckets, shingles
from wirebrief.errors import ExtractionError
from wirebrief.extract.body import to_html, to_text
from wirebrief.extract.dates import modification_time, publication_time
from wirebrief.extract.extractor import ExtractedPage, extract_page
from wirebrief.extract.provenance import find_origins
from wirebrief.extract.readingtime import reading_minutes
from wirebrief.extract.tldr import take_tldr
from wirebrief.feeds.parser import FeedEntry
from wirebrief.fetch.encoding import decode_html
from wirebrief.markets.linker import Linker, builtin_linker
from wirebrief.sanitize.sanitizer import sanitize_html
from wirebrief.search.terms import tldr_text, weigh
from wirebrief.settings import Settings
from wirebrief.stories.features import article_features
from wirebrief.summarize import summarize_article, tldr_columns


@dataclass(frozen=True)
class PageContext:
    """What the page stages need besides the page: the settings and the asset linker.

    Built once by whoever may read the database (the ingestor, a command) and handed to
    each worker process when the pool starts it, so no stage opens the database.
    """

    settings: Settings
    linker: Linker


PageStage = Callable[[ArticleDraft, PageContext], ArticleDraft]


def extract(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """Decode the bytes (header, BOM, prolog, meta, detection), then trafilatura."""
    raw = draft.raw_html
    text = raw if isinstance(raw, str) else decode_html(raw, draft.content_type)
    draft.page = extract_page(text, draft.url)
    draft.published = publication_time(draft.page, draft.entry)
    draft.modified = modification_time(draft.page, draft.entry, draft.published)
    return draft


def capture_tldr(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """Take the article's own TLDR or key-points list out of the body, as bullets."""
    draft.author_tldr = take_tldr(draft.body)
    return draft


def attribute(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """Name the origin when the page says it is a copy (runs before the notes are cleaned).

    Notes are looked for at the article's own end, above any widget or related list.
    """
    page = draft.extracted
    draft.origin_chain = find_origins(
        article_blocks(draft.body), draft.url, page.canonical_url, page.site_name
    )
    draft.origin = draft.origin_chain[-1] if draft.origin_chain else None
    return draft


def clean(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """Remove boilerplate blocks by the rules in ``clean/rules``."""
    draft.removed_boilerplate = clean_body(draft.body, draft.title).removed
    draft.text = to_text(draft.body)
    draft.html = to_html(draft.body)
    return draft


def measure(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """Reading time and a content hash of the normalised text."""
    if not draft.text.strip():
        raise ExtractionError(f"{draft.url}: the article has no text after cleaning")
    draft.reading_minutes = reading_minutes(
        draft.text,
        context.settings.reading_words_per_minute,
        context.settings.reading_cjk_chars_per_minute,
    )
    normalised = " ".join(draft.text.split()).casefold()
    draft.content_hash = hashlib.sha256(normalised.encode()).hexdigest()
    return draft


def fingerprint(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """MinHash LSH band buckets of the text, and buckets of its lead paragraphs (teasers),
    to find near-copies among stored articles.
    """
    draft.lsh_buckets = band_buckets(shingles(draft.text)) + lead_buckets(draft.text)
    return draft


def link_assets(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """The assets the title and clean text are about, with score and evidence (markets/)."""
    draft.asset_links = context.linker.link(draft.title, draft.text)
    return draft


def summarize(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """The TLDR: the author's key points when the page has them, else an extractive one.
    A configured LLM runs later, on the event loop (``Ingestor._summarize_with_llm``).
    """
    draft.tldr = summarize_article(
        draft.title,
        draft.text,
        lang=draft.extracted.lang,
        author_points=draft.author_tldr,
    )
    return draft


def weigh_terms(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """The weighted terms related stories compare (title, TLDR and text), weighed here so
    the store stage's one writer does not (it weighs again if the stored title or TLDR
    differs: an LLM's TLDR, a title cut to the column's length)."""
    tldr = tldr_columns(draft.tldr)
    lang = draft.page.lang if draft.page else None
    tldr_words = tldr_text(tldr["tldr_headline"], tldr["tldr_bullets"])
    draft.related_terms = weigh(draft.title, draft.text, tldr_words, lang)
    return draft


def profile(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """Weighted terms and named entities, to group coverage of one event into a story."""
    lang = draft.page.lang if draft.page else None
    draft.story_features = article_features(draft.title, draft.text, lang).to_json()
    return draft


def sanitize(draft: ArticleDraft, context: PageContext) -> ArticleDraft:
    """The sanitizer always runs last, so no later stage can reintroduce unsafe HTML."""
    draft.html = sanitize_html(draft.html)
    return draft


# Stages that work on clean text; pages go through them too, between cleaning and sanitizing.
TEXT_STAGES: tuple[PageStage, ...] = (measure, fingerprint, profile)
PAGE_STAGES: tuple[PageStage, ...] = (extract, capture_tldr, attribute, clean, *TEXT_STAGES,
                                       link_assets, summarize, weigh_terms, sanitize)  # fmt: skip


def process_page(
    html: bytes | str,
    url: str,
    settings: Settings,
    *,
    linker: Linker | None = None,
    entry: FeedEntry | None = None,
    source_id: int | None = None,
    content_type: str = "",
) -> ArticleDraft:
    """Run every page stage, in order, on one page; ``linker`` defaults to the built-in
    assets only (give one with the database's assets where there is a database)."""
    context = PageContext(settings, linker or builtin_linker())
    draft = ArticleDraft(url, html, content_type, entry=entry, source_id=source_id)
    for stage in PAGE_STAGES:
        draft = stage(draft, context)
    return draft


def process_text(
    url: str,
    title: str,
    text: str,
    settings: Settings,
    *,
    site_name: str | None = None,
    published: datetime | None = None,
    source_id: int | None = None,
) -> ArticleDraft:
    """Run the text stages on an already clean article (``wirebrief cluster``, benchmarks)."""
    page = ExtractedPage(
        url=url, title=title, author=None, site_name=site_name, published=published, lang=None,
        description=None, canonical_url=None, image=None, body=None, page=None,
    )  # fmt: skip
    draft = ArticleDraft(url, "", page=page, source_id=source_id, published=published)
    draft.text = text
    draft.html = "".join(f"<p>{html_lib.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    context = PageContext(settings, builtin_linker())
    for stage in TEXT_STAGES:
        draft = stage(draft, context)
    return draft


def process_page_portable(
    html: bytes | str,
    url: str,
    context: PageContext,
    entry: FeedEntry | None,
    source_id: int | None,
    content_type: str,
) -> ArticleDraft:
    """:func:`process_page` whose result can cross a process boundary (trees dropped)."""
    draft = process_page(
        html, url, context.settings, linker=context.linker, entry=entry, source_id=source_id,
        content_type=content_type,
    )  # fmt: skip
    return draft.portable()


def feed_entry_page(entry: FeedEntry) -> str:
    """A minimal page made of a feed entry's own content, for sources read without pages."""
    title = html_lib.escape(entry.title)
    content = entry.content_html or entry.summary
    if "<" not in content:  # plain text: give it a paragraph, or it is only the heading's tail
        content = f"<p>{html_lib.escape(content)}</p>"
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{content}</article></body></html>"
    )
