"""The ingestion pipeline. This module is the one place that states the order of stages.

    source ─► fetch feed ─► parse feed ─► fetch page ─► extract ─► attribute ─► clean
           ─► measure ─► sanitize ─► store

Each page stage takes and returns an :class:`ArticleDraft`; later capabilities
(dedupe, summarize, link assets) are added to the tuples below, nowhere else.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from wirebrief.article import ArticleDraft
from wirebrief.clean.cleaner import clean_body
from wirebrief.errors import FeedError, FetchError, WirebriefError
from wirebrief.extract.body import to_html, to_text
from wirebrief.extract.extractor import extract_page, has_time_of_day
from wirebrief.extract.provenance import find_origin
from wirebrief.extract.readingtime import reading_minutes
from wirebrief.feeds.parser import FeedEntry, ParsedFeed, parse_feed
from wirebrief.fetch import Fetcher, FetchResult
from wirebrief.sanitize.sanitizer import sanitize_html
from wirebrief.settings import Settings
from wirebrief.storage import articles as article_store
from wirebrief.storage import fetchlog
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, FetchAttempt, Source

log = logging.getLogger(__name__)

PageStage = Callable[[ArticleDraft, Settings], ArticleDraft]


# ── page stages ──────────────────────────────────────────────────────────────


def extract(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Body tree and metadata from the HTML (trafilatura)."""
    draft.page = extract_page(draft.raw_html, draft.url)
    draft.published = _publication_time(draft.page.published, draft.entry)
    return draft


def attribute(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Name the origin when the page says it is a copy (runs before the footer is cleaned)."""
    page = draft.extracted
    draft.origin = find_origin(page.body, draft.url, page.canonical_url)
    return draft


def clean(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Remove boilerplate blocks by the rules in ``clean/rules``."""
    page = draft.extracted
    draft.removed_boilerplate = clean_body(page.body, draft.title).removed
    draft.text = to_text(page.body)
    draft.html = to_html(page.body)
    return draft


def measure(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """Reading time and a content hash of the normalised text."""
    draft.reading_minutes = reading_minutes(
        draft.text, settings.reading_words_per_minute, settings.reading_cjk_chars_per_minute
    )
    normalised = " ".join(draft.text.split()).casefold()
    draft.content_hash = hashlib.sha256(normalised.encode()).hexdigest()
    return draft


def sanitize(draft: ArticleDraft, settings: Settings) -> ArticleDraft:
    """The sanitizer always runs last, so no later stage can reintroduce unsafe HTML."""
    draft.html = sanitize_html(draft.html)
    return draft


PAGE_STAGES: tuple[PageStage, ...] = (extract, attribute, clean, measure, sanitize)


def process_page(
    html: bytes | str,
    url: str,
    settings: Settings,
    *,
    entry: FeedEntry | None = None,
    source_id: int | None = None,
) -> ArticleDraft:
    """Run every page stage, in order, on one page."""
    draft = ArticleDraft(url=url, raw_html=html, entry=entry, source_id=source_id)
    for stage in PAGE_STAGES:
        draft = stage(draft, settings)
    return draft


# ── source level ─────────────────────────────────────────────────────────────


@dataclass
class SourceReport:
    """What one poll of one source did."""

    source_id: int
    name: str
    status: str = "ok"  # ok, not_modified, failed
    error: str | None = None
    feed_problem: str | None = None
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _PageOutcome:
    entry: FeedEntry
    draft: ArticleDraft | None
    attempt: FetchAttempt
    error: WirebriefError | None = None


def ingest_source(db: Database, fetcher: Fetcher, source_id: int) -> SourceReport:
    """Poll one source: fetch and parse its feed, then process and store its new entries."""
    settings = fetcher.settings
    with db.session() as session:
        source = source_store.get_source(session, source_id)
        report = SourceReport(source.id, source.name)
        etag, last_modified, feed_url = source.etag, source.last_modified, source.url

    try:
        fetched = fetch_feed(fetcher, feed_url, etag, last_modified)
        feed = None if fetched.not_modified else parse(fetched)
    except (FetchError, FeedError) as exc:
        report.status, report.error = "failed", str(exc)
        _record_feed_failure(db, source_id, feed_url, exc, settings)
        return report

    if feed is None:
        report.status = "not_modified"
    else:
        report.feed_problem = feed.problem
        todo = _entries_to_fetch(db, feed.entries, report)
        for outcome in _fetch_and_process(fetcher, todo, source_id):
            _store_outcome(db, outcome, report)

    with db.session() as session:
        source = source_store.get_source(session, source_id)
        fetchlog.record_attempt(session, _attempt(source_id, feed_url, "feed", fetched))
        source_store.record_poll(
            source,
            status=report.status,
            error=report.feed_problem,
            default_interval_s=settings.default_poll_interval_s,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
        )
    return report


def fetch_feed(
    fetcher: Fetcher, url: str, etag: str | None, last_modified: str | None
) -> FetchResult:
    """Stage: conditional GET of the feed document."""
    return fetcher.fetch(
        url,
        etag=etag,
        last_modified=last_modified,
        accept="application/rss+xml, application/atom+xml, application/feed+json, "
        "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    )


def parse(fetched: FetchResult) -> ParsedFeed:
    """Stage: feed document to entries."""
    return parse_feed(fetched.body, fetched.final_url, fetched.content_type)


def fetch_page(fetcher: Fetcher, url: str) -> FetchResult:
    """Stage: the article page, if robots.txt allows it."""
    return fetcher.fetch(
        url, accept="text/html, application/xhtml+xml;q=0.9, */*;q=0.5", check_robots=True
    )


def _entries_to_fetch(
    db: Database, entries: Iterable[FeedEntry], report: SourceReport
) -> list[FeedEntry]:
    """Entries that are new or changed since we stored them; count the rest as unchanged."""
    todo: list[FeedEntry] = []
    seen: set[str] = set()
    with db.session() as session:
        for entry in entries:
            if entry.url in seen:
                continue
            seen.add(entry.url)
            stored = article_store.find_article_by_url(session, entry.url)
            if stored is not None and (
                stored.hidden or stored.entry_fingerprint == entry.fingerprint
            ):
                report.unchanged += 1
            else:
                todo.append(entry)
    return todo


def _fetch_and_process(
    fetcher: Fetcher, entries: list[FeedEntry], source_id: int
) -> Iterable[_PageOutcome]:
    """Fetch pages in a small thread pool; results come back in feed order."""

    def work(entry: FeedEntry) -> _PageOutcome:
        started = time.monotonic()
        try:
            page = fetch_page(fetcher, entry.url)
        except FetchError as exc:
            attempt = _failed_attempt(source_id, entry.url, "page", exc, started)
            return _PageOutcome(entry, None, attempt, exc)
        attempt = _attempt(source_id, entry.url, "page", page)
        try:
            draft = process_page(
                page.body, page.final_url, fetcher.settings, entry=entry, source_id=source_id
            )
        except WirebriefError as exc:
            attempt.outcome, attempt.error_reason, attempt.error = "failed", "extraction", str(exc)
            return _PageOutcome(entry, None, attempt, exc)
        draft.url = entry.url  # keep the feed's URL as identity; redirects are not new articles
        return _PageOutcome(entry, draft, attempt)

    with ThreadPoolExecutor(max_workers=fetcher.settings.page_fetch_workers) as pool:
        yield from pool.map(work, entries)


def _store_outcome(db: Database, outcome: _PageOutcome, report: SourceReport) -> None:
    """Stage: store one processed page (each article in its own transaction)."""
    with db.session() as session:
        fetchlog.record_attempt(session, outcome.attempt)
        if outcome.draft is None:
            report.failed.append((outcome.entry.url, str(outcome.error)))
            log.warning(
                "page failed source_id=%s entry_url=%s: %s",
                report.source_id,
                outcome.entry.url,
                outcome.error,
            )
            return
        result = article_store.upsert_article(session, _to_article(outcome.draft))
        setattr(report, result.outcome, getattr(report, result.outcome) + 1)


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
        site_name=page.site_name,
        description=page.description,
        image_url=page.image,
        lang=page.lang,
        published_at=draft.published,
        text=draft.text,
        html=draft.html,
        reading_minutes=draft.reading_minutes,
        origin_name=draft.origin.name if draft.origin else None,
        origin_url=draft.origin.url if draft.origin else None,
        content_hash=draft.content_hash,
        entry_fingerprint=entry.fingerprint if entry else None,
    )


def _publication_time(page_time: datetime | None, entry: FeedEntry | None) -> datetime | None:
    """The page's time when it knows the time of day; else the feed's; else the page's date."""
    if has_time_of_day(page_time):
        return page_time
    feed_time = entry.published or entry.updated if entry else None
    return feed_time or page_time


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
    source_id: int, url: str, kind: str, error: WirebriefError, started: float
) -> FetchAttempt:
    return FetchAttempt(
        source_id=source_id,
        url=url,
        kind=kind,
        duration_ms=int((time.monotonic() - started) * 1000),
        outcome="failed",
        http_status=getattr(error, "status", None),
        error_reason=getattr(error, "reason", "feed_error"),
        error=str(error),
    )


def _record_feed_failure(
    db: Database, source_id: int, url: str, error: WirebriefError, settings: Settings
) -> None:
    log.warning("feed failed source_id=%s: %s", source_id, error)
    with db.session() as session:
        fetchlog.record_attempt(
            session, _failed_attempt(source_id, url, "feed", error, time.monotonic())
        )
        source = source_store.get_source(session, source_id)
        source_store.record_poll(
            source,
            status="failed",
            error=str(error),
            default_interval_s=settings.default_poll_interval_s,
        )


def ingest_due(
    db: Database,
    fetcher: Fetcher,
    source_ids: list[int] | None = None,
    on_report: Callable[[SourceReport], None] | None = None,
) -> list[Source | SourceReport]:
    """Poll the given sources, or every due source; one failing source never stops the rest."""
    if source_ids is None:
        with db.session() as session:
            source_ids = [source.id for source in source_store.due_sources(session)]
    reports: list[SourceReport] = []
    for source_id in source_ids:
        report = ingest_source(db, fetcher, source_id)
        reports.append(report)
        if on_report:
            on_report(report)
    return reports
