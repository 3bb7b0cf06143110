"""The orchestrator: polls sources, runs the page stages in a process pool, stores the results.

    source ─► fetch listing ─► parse listing ─► fetch page ─► page stages ─► LLM summary ─► store

Network stages run concurrently on one event loop (bounded overall and per host); the
page stages are CPU work in a process pool sized to the cores; database writes go one at
a time through a lock, in a thread.

Nothing listed is lost, whenever the process dies: a poll records the listing's validators
and next poll in the same transaction that queues its new and changed entries in the inbox
(``storage/inbox.py``), and each entry leaves the inbox in the transaction that stores it.
A passing failure (a 429, a timeout, robots.txt unreachable) puts the entry back with a
later time instead of holding anything up; the next run, or job, takes it from there.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from wirebrief import metrics, polling
from wirebrief.article import ArticleDraft
from wirebrief.errors import FeedError, FetchError, StoreFailed, WirebriefError
from wirebrief.feeds.parser import FeedEntry
from wirebrief.fetch import Fetcher, FetchResult
from wirebrief.fetch.hosts import HostLimiter
from wirebrief.markets import catalog
from wirebrief.markets.types import AssetSpec
from wirebrief.pipeline import worker
from wirebrief.pipeline.attempts import answered_attempt, failed_attempt
from wirebrief.pipeline.listing import (
    FEED_ACCEPT,
    PAGE_ACCEPT,
    Listing,
    SourceSnapshot,
    parse_listing,
)
from wirebrief.pipeline.report import Poll, PollStatus, SourceReport
from wirebrief.pipeline.stages import PageContext, feed_entry_page, process_page_portable
from wirebrief.pipeline.store import store_article
from wirebrief.pipeline.story_tldrs import StoryTldrRounds
from wirebrief.settings import Settings
from wirebrief.stopping import run_stoppable
from wirebrief.storage import articles as article_store
from wirebrief.storage import assets as asset_store
from wirebrief.storage import fetchlog, inbox, removals
from wirebrief.storage import sources as source_store
from wirebrief.storage.articles import StoreOutcome
from wirebrief.storage.db import Database
from wirebrief.storage.llmcache import DbCache
from wirebrief.storage.models import Article, FetchAttempt
from wirebrief.summarize import Document, LlmConfig, LlmSummarizer

log = logging.getLogger(__name__)

T = TypeVar("T")
# Tries of an entry that keeps failing for a passing reason; after that it leaves the inbox,
# and the listing is read in full at the next poll, which offers it again while listed.
MAX_ENTRY_ATTEMPTS = 8

ASSETS_REFRESH_S = 60.0  # assets imported into the database are linked within a minute


class Ingestor:
    """Runs the pipeline: ``async with Ingestor(db, settings) as ingestor: ...``."""

    def __init__(
        self, db: Database, settings: Settings, limiter: HostLimiter | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        # Workers pass a limiter whose schedule all of them share (jobs/runner.py).
        self.fetcher = Fetcher(settings, limiter)
        self._pool: ProcessPoolExecutor | None = None
        self._context: PageContext | None = None  # what the page stages get, handed in
        self._context_lock = asyncio.Lock()
        self._stored_assets: list[AssetSpec] = []
        self._assets_read_at = 0.0
        self._write_lock = asyncio.Lock()
        self._sources = asyncio.Semaphore(settings.fetch_concurrency)
        llm = LlmConfig.from_settings(settings)
        self._llm = LlmSummarizer(llm, DbCache(db, self._write_lock)) if llm else None
        self.story_tldrs = StoryTldrRounds(db, self._cpu, self._write)  # after commit

    async def __aenter__(self) -> Ingestor:
        await self._page_context()  # starts the pool, its workers given the asset linker
        self.story_tldrs.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            # Stopped or failed, the round is skipped: its marks stay for the next run.
            await self.story_tldrs.close(finish=exc_info[0] is None)
            await self.fetcher.aclose()
            if self._llm is not None:
                await self._llm.aclose()
        finally:  # cancelled or not, the workers go
            if self._pool is not None:
                await asyncio.to_thread(worker.stop_pool, self._pool)

    async def ingest_sources(
        self,
        source_ids: Iterable[int],
        on_report: Callable[[SourceReport], None] | None = None,
        *,
        force_poll: bool = False,
        pages: bool = True,
    ) -> list[SourceReport]:
        """For each source, concurrently: poll it when it is due (always with
        ``force_poll``), then fetch and store its waiting entries (not with pages=False).

        One failing source never stops the others. The reports count new articles and copies
        as the copy families stand at the end: a page counted new when stored is a copy once
        its origin, read later in the run, is stored.
        """

        async def one(source_id: int) -> SourceReport:
            async with self._sources:
                poll = await self.poll_source(source_id, force=force_poll)
            if pages:
                await self.ingest_waiting(poll)
            if on_report:
                on_report(poll.report)
            return poll.report

        before = await self._in_thread(self._latest_article_id)
        reports = list(await asyncio.gather(*(one(source_id) for source_id in source_ids)))
        await self._in_thread(self._count_new_pages, reports, before)
        return reports

    async def ingest_pending(self, pending_id: int) -> SourceReport:
        """Fetch page, page stages and store for one waiting entry (a queued job). An entry
        stored (or dropped) meanwhile is gone from the inbox: a job run twice writes once."""
        pending = await self._in_thread(self._pending, pending_id)
        if pending is None:
            return SourceReport(0, "")
        source = await self._in_thread(self._snapshot, pending.source_id)
        report = SourceReport(source.id, source.name)
        await self._ingest_entry(source, pending, report)
        return report

    async def poll_source(self, source_id: int, *, force: bool = True) -> Poll:
        """Stages fetch listing and parse listing, when the source is due (or ``force``):
        record the poll and queue its new and changed entries, in one transaction."""
        source = await self._in_thread(self._snapshot, source_id)
        report = SourceReport(source.id, source.name)
        if not (force or source.due):
            report.status = PollStatus.NOT_DUE
            return Poll(source, report)
        started = time.monotonic()
        try:
            fetched, listing = await self._read_listing(source)
        except (FetchError, FeedError) as exc:
            report.status, report.error = PollStatus.FAILED, str(exc)
            await self._write(self._record_failure, source, exc, started)
            return Poll(source, report)
        if listing is None:
            report.status = PollStatus.NOT_MODIFIED
        else:
            report.feed_problem = listing.problem
            report.listed = len(listing.entries)
        await self._write(self._record_success, source, fetched, listing, report)
        log.info(
            "source polled source_id=%s url=%s status=%s listed=%s unchanged=%s",
            source.id, source.url, report.status, report.listed, report.unchanged,
        )  # fmt: skip
        return Poll(source, report)

    async def ingest_waiting(self, poll: Poll) -> None:
        """Fetch page → page stages → store, concurrently, for every entry of the source
        waiting in the inbox whose time has come (this poll's, and any left before)."""
        waiting = await self._in_thread(self._due_entries, poll.source.id)
        await asyncio.gather(*(self._ingest_entry(poll.source, p, poll.report) for p in waiting))

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
        self, source: SourceSnapshot, pending: inbox.Pending, report: SourceReport
    ) -> None:
        """Stages fetch page → page stages → store, for one waiting entry."""
        entry = FeedEntry.from_json(pending.entry)
        started = time.monotonic()
        body: bytes | str
        try:
            if source.fetch_pages:
                page = await self.fetcher.fetch(entry.url, accept=PAGE_ACCEPT, check_robots=True)
                body, url, content_type = (
                    page.body,
                    page.final_url,
                    page.headers.get("content-type", ""),
                )
                attempt = answered_attempt(source.id, entry.url, "page", page)
            else:
                body, url, content_type = feed_entry_page(entry), entry.url, ""
                attempt = None
        except FetchError as exc:
            await self._write(self._entry_failed, pending, entry, exc, started, report)
            return
        try:
            await self._process_and_store(
                body, url, content_type, entry, source.id, attempt, report, pending.id
            )
        except WirebriefError as exc:
            await self._write(
                self._entry_failed, pending, entry, exc, started, report, "extraction"
            )
        except SQLAlchemyError as exc:  # e.g. a lock that did not come free: try again later
            log.exception("storing failed source_id=%s url=%s", source.id, entry.url)
            await self._write(self._entry_failed, pending, entry, StoreFailed(exc), started,
                              report)  # fmt: skip

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
                await self._process_and_store(
                    body, url, content_type, entry, source_id, None, report, None
                )
            except WirebriefError as exc:
                log.warning(
                    "page failed source_id=%s url=%s stage=page_stages reason=%s: %s",
                    source_id, url, exc.reason, exc,
                )  # fmt: skip
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

    async def _process_and_store(
        self,
        body: bytes | str,
        url: str,
        content_type: str,
        entry: FeedEntry,
        source_id: int | None,
        attempt: FetchAttempt | None,
        report: SourceReport,
        pending_id: int | None,
    ) -> None:
        """Page stages (process pool) → LLM summary (event loop) → store (one transaction,
        which also takes the entry out of the inbox)."""
        context = await self._page_context()
        if self._pool is None:
            draft = await asyncio.to_thread(
                process_page_portable, body, url, context, entry, source_id, content_type
            )
        else:
            draft = await asyncio.get_running_loop().run_in_executor(
                self._pool, worker.process, body, url, entry, source_id, content_type
            )
        draft.url = entry.url  # the listed URL is the identity; redirects are not new articles
        await self._summarize_with_llm(draft)
        await self._write(self._store_article, draft, attempt, report, pending_id)

    async def _summarize_with_llm(self, draft: ArticleDraft) -> None:
        """Stage summarize, LLM part: on the event loop after the page stages, never in a
        worker; concurrent entries' requests share WIREBRIEF_LLM_CONCURRENCY slots.
        """
        if self._llm is not None and draft.tldr is not None:
            document = Document(draft.title, draft.text, draft.extracted.lang, draft.url)
            draft.tldr = await self._llm.summarize(document, draft.tldr)

    async def _page_context(self) -> PageContext:
        """What the page stages need, built here where the database may be read: the asset
        linker over the built-in assets and the stored ones, read again at most every
        ``ASSETS_REFRESH_S``. A change starts a new pool whose workers get the new linker
        (the old one finishes what it was given)."""
        if self._context is not None and not self._assets_due():
            return self._context
        async with self._context_lock:
            if self._context is not None and not self._assets_due():
                return self._context
            stored = await self._in_thread(self._read_stored_assets)
            self._assets_read_at = time.monotonic()
            if self._context is None or stored != self._stored_assets:
                linker = await asyncio.to_thread(catalog.linker_for, stored)
                self._context, self._stored_assets = PageContext(self.settings, linker), stored
                if self.settings.extract_workers > 0:
                    old = self._pool
                    self._pool = worker.new_pool(self.settings.extract_workers, self._context)
                    if old is not None:
                        old.shutdown(wait=False)
            return self._context

    def _assets_due(self) -> bool:
        return time.monotonic() - self._assets_read_at >= ASSETS_REFRESH_S

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

    def _read_stored_assets(self) -> list[AssetSpec]:
        with self.db.session() as session:
            return asset_store.stored_specs(session)

    def _snapshot(self, source_id: int) -> SourceSnapshot:
        with self.db.session() as session:
            s = source_store.get_source(session, source_id)
            return SourceSnapshot(s.id, s.name, s.url, s.kind, s.etag, s.last_modified,
                                  s.fetch_pages, source_store.is_due(s))  # fmt: skip

    def _latest_article_id(self) -> int:
        with self.db.session() as session:
            return article_store.latest_article_id(session)

    def _count_new_pages(self, reports: list[SourceReport], after_id: int) -> None:
        """Recount each report's new articles and copies from what is stored now."""
        with self.db.session() as session:
            stored = article_store.new_pages_by_source(
                session, after_id, [r.source_id for r in reports]
            )
        for report in reports:
            pages, copies = stored.get(report.source_id, (0, 0))
            report.outcomes[StoreOutcome.NEW] = pages - copies
            report.outcomes[StoreOutcome.COPIES] = copies

    def _pending(self, pending_id: int) -> inbox.Pending | None:
        with self.db.session() as session:
            return inbox.get(session, pending_id)

    def _due_entries(self, source_id: int) -> list[inbox.Pending]:
        with self.db.session() as session:
            return inbox.due(session, source_id)

    def _entries_to_fetch(
        self, session: Session, entries: list[FeedEntry], report: SourceReport
    ) -> list[FeedEntry]:
        """Entries that are new or changed since we stored them; count the rest as unchanged."""
        unique = list({entry.url: entry for entry in entries}.values())
        known: dict[str, tuple[str | None, bool]] = {}
        for start in range(0, len(unique), 500):
            urls = [entry.url for entry in unique[start : start + 500]]
            rows = session.execute(
                select(Article.url, Article.entry_fingerprint, Article.hidden).where(
                    Article.url.in_(urls)
                )
            )
            known.update({url: (fingerprint, hidden) for url, fingerprint, hidden in rows})
            for url in removals.blocked_urls(session, urls):  # removed on request
                known[url] = (None, True)
        todo = []
        for entry in unique:
            fingerprint, hidden = known.get(entry.url, (None, False))
            if hidden or fingerprint == entry.fingerprint:
                report.outcomes[StoreOutcome.UNCHANGED] += 1
            else:
                todo.append(entry)
        return todo

    def _store_article(
        self,
        draft: ArticleDraft,
        attempt: FetchAttempt | None,
        report: SourceReport,
        pending_id: int | None,
    ) -> None:
        """Stage store, for one processed page, in its own transaction; the entry leaves
        the inbox in the same one."""
        with self.db.session() as session:
            if attempt is not None:
                fetchlog.record_attempt(session, attempt)
            outcome = store_article(session, draft)
            if pending_id is not None:
                inbox.done(session, pending_id)
        log.info("page stored source_id=%s url=%s outcome=%s", draft.source_id, draft.url, outcome)
        report.outcomes[outcome] += 1
        metrics.ARTICLES_STORED.labels(outcome).inc()

    def _entry_failed(
        self,
        pending: inbox.Pending,
        entry: FeedEntry,
        error: WirebriefError,
        started: float,
        report: SourceReport,
        reason: str | None = None,
    ) -> None:
        """Record the failed attempt. A passing failure puts the entry back in the inbox,
        for after the server's Retry-After or an exponential backoff; any other, or the
        last try, takes it out."""
        attempts = pending.attempts + 1
        again = error.transient
        with self.db.session() as session:
            fetchlog.record_attempt(
                session,
                failed_attempt(pending.source_id, entry.url, "page", error, started, reason),
            )
            if again and attempts < MAX_ENTRY_ATTEMPTS:
                delay = polling.failure_delay_s(attempts, error.retry_after_s, self.settings)
                inbox.defer(session, pending.id, delay, str(error))
            else:
                inbox.done(session, pending.id)
                if again:  # given up for now: a full read of the listing offers it again
                    source = source_store.get_source(session, pending.source_id)
                    source_store.forget_validators(source)
        stage = "page_stages" if reason == "extraction" else "fetch_page"
        if again and attempts < MAX_ENTRY_ATTEMPTS:
            log.info(
                "page deferred source_id=%s url=%s stage=%s reason=%s delay_s=%.0f: %s",
                pending.source_id, entry.url, stage, reason or error.reason, delay, error,
            )  # fmt: skip
            report.deferred.append((entry.url, str(error)))
        else:
            log.warning(
                "page failed source_id=%s url=%s stage=%s reason=%s: %s",
                pending.source_id, entry.url, stage, reason or error.reason, error,
            )  # fmt: skip
            report.failed.append((entry.url, str(error)))

    def _record_failure(
        self, source: SourceSnapshot, error: WirebriefError, started: float
    ) -> None:
        log.warning(
            "source failed source_id=%s url=%s stage=fetch_listing reason=%s: %s",
            source.id, source.url, error.reason, error,
        )  # fmt: skip
        attempt = failed_attempt(source.id, source.url, source.kind, error, started)
        with self.db.session() as session:
            fetchlog.record_attempt(session, attempt)
            fetchlog.prune_attempts(session, source.id)
            source_store.record_failure(
                source_store.get_source(session, source.id),
                error=str(error),
                reason=attempt.error_reason or "failed",
                settings=self.settings,
                retry_after_s=error.retry_after_s,
            )

    def _record_success(
        self,
        source: SourceSnapshot,
        fetched: FetchResult,
        listing: Listing | None,
        report: SourceReport,
    ) -> None:
        """The poll, its validators and next poll, and its new and changed entries queued
        in the inbox: one transaction, so none of them is kept without the others."""
        with self.db.session() as session:
            fetchlog.prune_attempts(session, source.id)
            if source.kind != "page":
                fetchlog.record_attempt(
                    session, answered_attempt(source.id, source.url, source.kind, fetched)
                )
            if listing is not None:
                todo = self._entries_to_fetch(session, listing.entries, report)
                inbox.queue(session, source.id, ((e.url, e.to_json()) for e in todo))
            source_store.record_success(
                source_store.get_source(session, source.id),
                status=report.status,
                settings=self.settings,
                problem=report.feed_problem,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                published=[e.published or e.updated for e in listing.entries] if listing else None,
            )


def ingest_due(
    db: Database,
    settings: Settings,
    source_ids: list[int] | None = None,
    on_report: Callable[[SourceReport], None] | None = None,
    *,
    force_poll: bool | None = None,
) -> list[SourceReport]:
    """Poll the given sources now (or, with ``force_poll=False``, when due), else every
    source with something to do, and store what they list and what waits in the inbox
    (synchronous entry point; SIGINT and SIGTERM stop it cleanly)."""
    force = source_ids is not None if force_poll is None else force_poll
    if source_ids is None:
        source_ids = work_source_ids(db)

    async def run() -> list[SourceReport]:
        async with Ingestor(db, settings) as ingestor:
            return await ingestor.ingest_sources(source_ids, on_report, force_poll=force)

    return run_stoppable(run())


def work_source_ids(db: Database) -> list[int]:
    """Sources with something to do: due for a poll, or with entries whose time has come."""
    due = source_store.due_source_ids(db)
    with db.session() as session:
        waiting = inbox.sources_with_due(session)
    return due + [source_id for source_id in waiting if source_id not in set(due)]
