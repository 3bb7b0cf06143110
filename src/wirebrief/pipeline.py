"""The ingestion pipeline. This module is the one place that states the order of stages.

    source ─► fetch listing (feed or sitemap) ─► parse listing ─► fetch page ─► extract
           ─► capture tldr ─► attribute ─► clean ─► measure ─► link assets ─► summarize ─► sanitize
           ─► store ─► index (search, related stories)

Network stages run concurrently on one event loop (bounded overall and per host);
page stages are CPU work and run in a process pool sized to the cores. Each page
stage takes and returns an :class:`ArticleDraft`; later capabilities (dedupe,
summarize, link assets) are added to the tuples below, nowhere else.
"""

from __future__ import annotations

import asyncio
import hashlib
import html as html_lib
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from wirebrief import metrics
from wirebrief.article import ArticleDraft
from wirebrief.clean.cleaner import article_blocks, clean_body
from wirebrief.dedupe.collapse import place
from wirebrief.dedupe.minhash import band_buckets, shingles
from wirebrief.errors import ExtractionError, FeedError, FetchError, WirebriefError
from wirebrief.extract.body import to_html, to_text
from wirebrief.extract.dates import modification_time, publication_time
from wirebrief.extract.extractor import ExtractedPage, extract_page
from wirebrief.extract.provenance import find_origins
from wirebrief.extract.readingtime import reading_minutes
from wirebrief.extract.tldr import take_tldr
from wirebrief.feeds.parser import FeedEntry, parse_feed
from wirebrief.feeds.sitemap import parse_sitemap
from wirebrief.fetch import Fetcher, FetchResult
from wirebrief.fetch.encoding import decode_html
from wirebrief.fetch.hosts import HostLimiter
from wirebrief.markets.linker import linker_for
from wirebrief.sanitize.sanitizer import sanitize_html
from wirebrief.search.indexing import index_stored
from wirebrief.settings import Settings
from wirebrief.storage import articles as article_store
from wirebrief.storage import assets as asset_store
from wirebrief.storage import copies, fetchlog, removals
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, ArticleSighting, FetchAttempt, Story
from wirebrief.stories.assign import assign_story
from wirebrief.stories.features import StoryFeatures, article_features
from wirebrief.summarize import (
    DbCache,
    Document,
    LlmConfig,
    LlmSummarizer,
    summarize_article,
    tldr_columns,
)

log = logging.getLogger(__name__)

PageStage = Callable[[ArticleDraft, Settings], ArticleDraft]
T = TypeVar("T")

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
MAX_SITEMAP_CHILDREN = 10


# ── page stages (CPU; run in worker processes) ───────────────────────────────


def extract(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Decode the bytes (header, BOM, prolog, meta, detection), then trafilatura."""
    raw = draft.raw_html
    text = raw if isinstance(raw, str) else decode_html(raw, draft.content_type)
    draft.page = extract_page(text, draft.url)
    draft.published = publication_time(draft.page, draft.entry)
    draft.modified = modification_time(draft.page, draft.entry, draft.published)
    return draft


def capture_tldr(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Take the article's own TLDR or key-points list out of the body, as bullets."""
    draft.author_tldr = take_tldr(draft.body)
    return draft


def attribute(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Name the origin when the page says it is a copy (runs before the notes are cleaned).

    Notes are looked for at the article's own end, above any widget or related list.
    """
    page = draft.extracted
    draft.origin_chain = find_origins(
        article_blocks(draft.body), draft.url, page.canonical_url, page.site_name
    )
    draft.origin = draft.origin_chain[-1] if draft.origin_chain else None
    return draft


def clean(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Remove boilerplate blocks by the rules in ``clean/rules``."""
    draft.removed_boilerplate = clean_body(draft.body, draft.title).removed
    draft.text = to_text(draft.body)
    draft.html = to_html(draft.body)
    return draft


def measure(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Reading time and a content hash of the normalised text."""
    if not draft.text.strip():
        raise ExtractionError(f"{draft.url}: the article has no text after cleaning")
    draft.reading_minutes = reading_minutes(
        draft.text, settings.reading_words_per_minute, settings.reading_cjk_chars_per_minute
    )
    normalised = " ".join(draft.text.split()).casefold()
    draft.content_hash = hashlib.sha256(normalised.encode()).hexdigest()
    return draft


def fingerprint(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """MinHash LSH band buckets of the text, to find near-copies among stored articles."""
    draft.lsh_buckets = band_buckets(shingles(draft.text))
    return draft


def link_assets(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """The assets the title and clean text are about, with score and evidence (markets/)."""
    draft.asset_links = linker_for(settings).link(draft.title, draft.text)
    return draft


def summarize(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
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


def profile(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Weighted terms and named entities, to group coverage of one event into a story."""
    lang = draft.page.lang if draft.page else None
    draft.story_features = article_features(draft.title, draft.text, lang).to_json()
    return draft


def sanitize(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """The sanitizer always runs last, so no later stage can reintroduce unsafe HTML."""
    draft.html = sanitize_html(draft.html)
    return draft


# Stages that work on clean text; pages go through them too, between cleaning and sanitizing.
TEXT_STAGES: tuple[PageStage, ...] = (measure, fingerprint, profile)
PAGE_STAGES: tuple[PageStage, ...] = (extract, capture_tldr, attribute, clean, *TEXT_STAGES,
                                       link_assets, summarize, sanitize)  # fmt: skip


def process_page(
    html: bytes | str,
    url: str,
    settings: Settings,
    *,
    entry: FeedEntry | None = None,
    source_id: int | None = None,
    content_type: str = "",
) -> ArticleDraft:
    """Run every page stage, in order, on one page."""
    draft = ArticleDraft(url, html, content_type, entry=entry, source_id=source_id)
    for stage in PAGE_STAGES:
        draft = stage(draft, settings)
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
    for stage in TEXT_STAGES:
        draft = stage(draft, settings)
    return draft


def process_page_portable(
    html: bytes | str,
    url: str,
    settings: Settings,
    entry: FeedEntry | None,
    source_id: int | None,
    content_type: str,
) -> ArticleDraft:
    """:func:`process_page` for a worker process: the result is picklable."""
    draft = process_page(
        html, url, settings, entry=entry, source_id=source_id, content_type=content_type
    )
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


# ── listing stages: what a source currently offers ───────────────────────────


@dataclass(frozen=True)
class SourceSnapshot:
    """What a poll needs to know about a source (read in one short transaction)."""

    id: int
    name: str
    url: str
    kind: str
    etag: str | None
    last_modified: str | None
    fetch_pages: bool


@dataclass(frozen=True)
class Listing:
    """The entries a feed or sitemap lists now, and any tolerated problem."""

    entries: list[FeedEntry]
    problem: str | None = None


def parse_listing(kind: str, body: bytes, url: str, content_type: str) -> tuple[Listing, list[str]]:
    """Stage: a feed or sitemap document to entries (and, for a sitemap index, child URLs)."""
    if kind == "sitemap":
        sitemap = parse_sitemap(body, url)
        return Listing(sitemap.entries, sitemap.problem), sitemap.children[:MAX_SITEMAP_CHILDREN]
    feed = parse_feed(body, url, content_type)
    return Listing(feed.entries, feed.problem), []


# ── source level ─────────────────────────────────────────────────────────────


@dataclass
class SourceReport:
    """What one poll of one source did."""

    source_id: int
    name: str
    status: str = "ok"  # ok, not_modified, failed
    error: str | None = None
    feed_problem: str | None = None
    listed: int = 0  # entries the feed or sitemap lists now
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    copies: int = 0  # exact copies of stored articles, kept as sightings
    failed: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Poll:
    """One poll of a source: its report so far and the entries still to ingest."""

    source: SourceSnapshot
    report: SourceReport
    todo: list[FeedEntry]


class Ingestor:
    """Runs the pipeline: ``async with Ingestor(db, settings) as ingestor: ...``."""

    def __init__(
        self, db: Database, settings: Settings, limiter: HostLimiter | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        # Workers pass a limiter whose schedule all of them share (jobs/runner.py).
        self.fetcher = Fetcher(settings, limiter)
        self._pool: Executor | None = None
        self._write_lock = asyncio.Lock()
        self._sources = asyncio.Semaphore(settings.fetch_concurrency)
        llm = LlmConfig.from_settings(settings)
        self._llm = LlmSummarizer(llm, DbCache(db, self._write_lock)) if llm else None

    async def __aenter__(self) -> Ingestor:
        if self.settings.extract_workers > 0:
            # forkserver: workers start from a clean process, not a fork of this threaded one.
            self._pool = ProcessPoolExecutor(
                self.settings.extract_workers, mp_context=get_context("forkserver")
            )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.fetcher.aclose()
        if self._llm is not None:
            await self._llm.aclose()
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    async def ingest_sources(
        self,
        source_ids: Iterable[int],
        on_report: Callable[[SourceReport], None] | None = None,
        *,
        pages: bool = True,
    ) -> list[SourceReport]:
        """Poll sources concurrently and ingest their new entries (only poll with pages=False).

        One failing source never stops the others.
        """

        async def one(source_id: int) -> SourceReport:
            async with self._sources:
                poll = await self.poll_source(source_id)
            if pages:
                await self.ingest_entries(poll)
            if on_report:
                on_report(poll.report)
            return poll.report

        return list(await asyncio.gather(*(one(source_id) for source_id in source_ids)))

    async def ingest_source(self, source_id: int) -> SourceReport:
        """Poll one source and ingest its new and changed entries."""
        poll = await self.poll_source(source_id)
        await self.ingest_entries(poll)
        return poll.report

    async def ingest_entry(self, source_id: int, entry: FeedEntry) -> SourceReport:
        """Fetch page, page stages and store for one entry (a queued job), unless it is
        already stored as listed: a job retried after a crash writes nothing twice.
        """
        source = await self._in_thread(self._snapshot, source_id)
        report = SourceReport(source.id, source.name)
        if await self._in_thread(self._entries_to_fetch, [entry], report):
            await self._ingest_entry(source, entry, report)
        return report

    async def poll_source(self, source_id: int) -> Poll:
        """Stages fetch listing and parse listing: record the poll, return the entries to do."""
        source = await self._in_thread(self._snapshot, source_id)
        report = SourceReport(source.id, source.name)
        started = time.monotonic()
        try:
            fetched, listing = await self._read_listing(source)
        except (FetchError, FeedError) as exc:
            report.status, report.error = "failed", str(exc)
            await self._write(self._record_failure, source, exc, started)
            return Poll(source, report, [])
        todo: list[FeedEntry] = []
        if listing is None:
            report.status = "not_modified"
        else:
            report.feed_problem = listing.problem
            report.listed = len(listing.entries)
            todo = await self._in_thread(self._entries_to_fetch, listing.entries, report)
        await self._write(self._record_success, source, fetched, listing, report)
        return Poll(source, report, todo)

    async def ingest_entries(self, poll: Poll) -> None:
        """The page stages for every entry of a poll, concurrently."""
        await asyncio.gather(*(self._ingest_entry(poll.source, e, poll.report) for e in poll.todo))

    async def _read_listing(self, source: SourceSnapshot) -> tuple[FetchResult, Listing | None]:
        """Stages fetch listing and parse listing; a single-page source lists itself."""
        if source.kind == "page":
            entry = FeedEntry(source.url, source.url, "", None, None, None, "", "")
            fetched = FetchResult(source.url, source.url, 200, {}, b"", 0)
            return fetched, Listing([entry])
        fetched = await self.fetcher.fetch(
            source.url, etag=source.etag, last_modified=source.last_modified, accept=FEED_ACCEPT
        )
        if fetched.not_modified:
            return fetched, None
        listing, children = await self._cpu(
            parse_listing, source.kind, fetched.body, fetched.final_url, fetched.content_type
        )
        for child_url in children:  # a sitemap index: read its newest sitemaps
            child = await self.fetcher.fetch(child_url, accept=FEED_ACCEPT)
            child_listing, _ = await self._cpu(
                parse_listing, "sitemap", child.body, child.final_url, child.content_type
            )
            listing = Listing(listing.entries + child_listing.entries, listing.problem)
        return fetched, listing

    async def _ingest_entry(
        self, source: SourceSnapshot, entry: FeedEntry, report: SourceReport
    ) -> None:
        """Stages fetch page → page stages → store, for one entry."""
        started = time.monotonic()
        try:
            if source.fetch_pages:
                page = await self.fetcher.fetch(entry.url, accept=PAGE_ACCEPT, check_robots=True)
                body, url, content_type = (
                    page.body,
                    page.final_url,
                    page.headers.get("content-type", ""),
                )
                attempt = _attempt(source.id, entry.url, "page", page)
            else:
                body, url, content_type = feed_entry_page(entry), entry.url, ""
                attempt = None
        except FetchError as exc:
            await self._write(self._store_failure, source.id, entry, exc, started, report)
            return
        try:
            draft = await self._cpu(
                process_page_portable, body, url, self.settings, entry, source.id, content_type
            )
        except WirebriefError as exc:
            await self._write(
                self._store_failure, source.id, entry, exc, started, report, "extraction"
            )
            return
        draft.url = entry.url  # the feed's URL is the identity; redirects are not new articles
        await self._summarize_with_llm(draft)
        await self._write(self._store_article, draft, attempt, report)

    async def ingest_pages(
        self,
        pages: Iterable[tuple[str, bytes, str, datetime | None]],
        source_id: int | None,
        on_page: Callable[[str], None] | None = None,
    ) -> SourceReport:
        """Store already-fetched pages (``url, body, content_type, fetched_at``), e.g. from WARC."""
        report = SourceReport(source_id or 0, "pages")
        window = asyncio.Semaphore(max(2, self.settings.extract_workers * 4))

        async def one(
            url: str, body: bytes, content_type: str, fetched_at: datetime | None
        ) -> None:
            try:
                entry = FeedEntry(url, url, "", None, fetched_at, None, "", "")
                draft = await self._cpu(
                    process_page_portable, body, url, self.settings, entry, source_id, content_type
                )
                await self._summarize_with_llm(draft)
                await self._write(self._store_article, draft, None, report)
            except WirebriefError as exc:
                report.failed.append((url, str(exc)))
            finally:
                window.release()
                if on_page:
                    on_page(url)

        tasks = []
        try:
            for url, body, content_type, fetched_at in pages:
                await window.acquire()  # bounded: a WARC can hold millions of pages
                tasks.append(asyncio.create_task(one(url, body, content_type, fetched_at)))
        finally:  # a damaged archive still stores every page read before the damage
            await asyncio.gather(*tasks)
        return report

    async def _summarize_with_llm(self, draft: ArticleDraft) -> None:
        """Stage summarize, LLM part: on the event loop after the page stages, never in a
        worker; concurrent entries' requests share WIREBRIEF_LLM_CONCURRENCY slots.
        """
        if self._llm is not None and draft.tldr is not None:
            document = Document(draft.title, draft.text, draft.extracted.lang)
            draft.tldr = await self._llm.summarize(document, draft.tldr)

    # ── helpers: where work runs ──

    async def _cpu(self, function: Callable[..., T], *args: object) -> T:
        """CPU-heavy work in the process pool (or a thread when workers = 0)."""
        if self._pool is None:
            return await asyncio.to_thread(function, *args)
        return await asyncio.get_running_loop().run_in_executor(self._pool, function, *args)

    async def _in_thread(self, function: Callable[..., T], *args: object) -> T:
        """Blocking database reads off the event loop."""
        return await asyncio.to_thread(function, *args)

    async def _write(self, function: Callable[..., T], *args: object) -> T:
        """Database writes one at a time: SQLite has a single writer anyway."""
        async with self._write_lock:
            return await asyncio.to_thread(function, *args)

    # ── helpers: database work (run in threads) ──

    def _snapshot(self, source_id: int) -> SourceSnapshot:
        with self.db.session() as session:
            s = source_store.get_source(session, source_id)
            return SourceSnapshot(s.id, s.name, s.url, s.kind, s.etag, s.last_modified,
                                  s.fetch_pages)  # fmt: skip

    def _entries_to_fetch(self, entries: list[FeedEntry], report: SourceReport) -> list[FeedEntry]:
        """Entries that are new or changed since we stored them; count the rest as unchanged."""
        unique = list({entry.url: entry for entry in entries}.values())
        known: dict[str, tuple[str | None, bool]] = {}
        with self.db.session() as session:
            for start in range(0, len(unique), 500):
                urls = [entry.url for entry in unique[start : start + 500]]
                rows = session.execute(
                    select(Article.url, Article.entry_fingerprint, Article.hidden).where(
                        Article.url.in_(urls)
                    )
                )
                known.update({url: (fingerprint, hidden) for url, fingerprint, hidden in rows})
                # A URL kept as a sighting of another article is a copy we already have.
                copy_urls = session.scalars(
                    select(ArticleSighting.url).where(ArticleSighting.url.in_(urls))
                )
                for url in copy_urls:
                    known.setdefault(url, (None, True))
                for url in removals.blocked_urls(session, urls):  # removed on request
                    known[url] = (None, True)
        todo = []
        for entry in unique:
            fingerprint, hidden = known.get(entry.url, (None, False))
            if hidden or fingerprint == entry.fingerprint:
                report.unchanged += 1
            else:
                todo.append(entry)
        return todo

    def _store_article(
        self, draft: ArticleDraft, attempt: FetchAttempt | None, report: SourceReport
    ) -> None:
        """Stage store, for one processed page, in its own transaction."""
        with self.db.session() as session:
            if attempt is not None:
                fetchlog.record_attempt(session, attempt)
            outcome = store_article(session, draft)
        setattr(report, outcome, getattr(report, outcome) + 1)
        metrics.ARTICLES_STORED.labels(outcome).inc()

    def _store_failure(
        self,
        source_id: int,
        entry: FeedEntry,
        error: WirebriefError,
        started: float,
        report: SourceReport,
        reason: str | None = None,
    ) -> None:
        log.warning("page failed source_id=%s: %s", source_id, error)
        report.failed.append((entry.url, str(error)))
        with self.db.session() as session:
            fetchlog.record_attempt(
                session, _failed_attempt(source_id, entry.url, "page", error, started, reason)
            )
            if isinstance(error, FetchError) and error.transient:
                # The entry is not stored, so the next full read of the listing offers it
                # again; without this a quiet feed answering 304 would never do so.
                source_store.forget_validators(source_store.get_source(session, source_id))

    def _record_failure(
        self, source: SourceSnapshot, error: WirebriefError, started: float
    ) -> None:
        log.warning("source failed source_id=%s: %s", source.id, error)
        attempt = _failed_attempt(source.id, source.url, source.kind, error, started)
        with self.db.session() as session:
            fetchlog.record_attempt(session, attempt)
            source_store.record_failure(
                source_store.get_source(session, source.id),
                error=str(error),
                reason=attempt.error_reason or "failed",
                settings=self.settings,
                retry_after_s=getattr(error, "retry_after_s", None),
            )

    def _record_success(
        self,
        source: SourceSnapshot,
        fetched: FetchResult,
        listing: Listing | None,
        report: SourceReport,
    ) -> None:
        with self.db.session() as session:
            if source.kind != "page":
                fetchlog.record_attempt(
                    session, _attempt(source.id, source.url, source.kind, fetched)
                )
            source_store.record_success(
                source_store.get_source(session, source.id),
                status=report.status,
                settings=self.settings,
                problem=report.feed_problem,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                published=[e.published or e.updated for e in listing.entries] if listing else None,
            )


def store_article(session: Session, draft: ArticleDraft) -> str:
    """Store stages, in order: by URL (new, updated or unchanged), collapse copies (an exact
    copy becomes a sighting of the stored article, a near copy points at its origin), group
    into a story, link assets, then index for search and related stories (last).
    Returns new, updated, unchanged or copies.
    """
    outcome = _place_article(session, draft)
    asset_store.store_links_for_url(session, draft.url, draft.asset_links)
    index_stored(session, draft.url, outcome)
    return outcome


def _place_article(session: Session, draft: ArticleDraft) -> str:
    copies.lock_buckets(session, draft.lsh_buckets)  # copies stored at once take turns
    incoming = _to_article(draft)
    if removals.is_blocked(session, incoming):  # removed on request, or its source blocked
        return "unchanged"
    stored = article_store.find_article_by_url(session, draft.url)
    if stored is not None:
        result = article_store.upsert_article(session, incoming)
        if result.outcome == "updated":
            copies.save_buckets(session, stored.id, draft.lsh_buckets)
        return result.outcome
    if copies.find_sighting(session, draft.url) is not None:
        return "unchanged"  # already stored as a copy of another article
    placement = place(session, incoming, draft.lsh_buckets)
    if placement.kind == "near":
        removals.hide_if_copy_of_removed(session, placement.article)
    if placement.kind == "exact":
        if placement.article.story_id is not None:
            story_store.refresh(session, session.get(Story, placement.article.story_id))
        return "copies"
    assign_story(session, placement.article, StoryFeatures.from_json(draft.story_features or {}))
    return "new"


def ingest_due(
    db: Database,
    settings: Settings,
    source_ids: list[int] | None = None,
    on_report: Callable[[SourceReport], None] | None = None,
) -> list[SourceReport]:
    """Poll the given sources, or every due source (synchronous entry point)."""
    if source_ids is None:
        with db.session() as session:
            source_ids = [source.id for source in source_store.due_sources(session)]

    async def run() -> list[SourceReport]:
        async with Ingestor(db, settings) as ingestor:
            return await ingestor.ingest_sources(source_ids, on_report)

    return asyncio.run(run())


def _to_article(draft: ArticleDraft) -> Article:
    page = draft.extracted
    entry = draft.entry
    return Article(
        source_id=draft.source_id,
        url=draft.url,
        canonical_url=page.canonical_url or draft.url,
        guid=entry.guid if entry else None,
        title=draft.title[:1000],
        author=page.author or (entry.author if entry else None),
        authors=page.authors or ([entry.author] if entry and entry.author else None),
        site_name=page.site_name,
        description=page.description,
        image_url=page.image,
        lang=page.lang,
        published_at=draft.published,
        modified_at=draft.modified,
        text=draft.text,
        html=draft.html,
        reading_minutes=draft.reading_minutes,
        origin_name=draft.origin.name if draft.origin else None,
        origin_url=draft.origin.url if draft.origin else None,
        origin_chain=[{"name": o.name, "url": o.url} for o in draft.origin_chain] or None,
        author_tldr=draft.author_tldr or None,
        content_hash=draft.content_hash,
        entry_fingerprint=entry.fingerprint if entry else None,
        **tldr_columns(draft.tldr),
    )


def _attempt(source_id: int, url: str, kind: str, result: FetchResult) -> FetchAttempt:
    return FetchAttempt(
        source_id=source_id,
        url=url,
        kind=kind,
        duration_ms=result.elapsed_ms,
        outcome="not_modified" if result.not_modified else "ok",
        http_status=result.status,
        bytes_received=len(result.body),
    )


def _failed_attempt(
    source_id: int,
    url: str,
    kind: str,
    error: WirebriefError,
    started: float,
    reason: str | None = None,
) -> FetchAttempt:
    metrics.FETCH_ERRORS.labels(kind, reason or getattr(error, "reason", "feed_error")).inc()
    return FetchAttempt(
        source_id=source_id,
        url=url,
        kind=kind,
        duration_ms=int((time.monotonic() - started) * 1000),
        outcome="failed",
        http_status=getattr(error, "status", None),
        error_reason=reason or getattr(error, "reason", "feed_error"),
        error=str(error),
    )
