"""Source records: add, list, remove, schedule, and what each carried."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from wirebrief import polling
from wirebrief.errors import DuplicateSource, NotFoundError
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.families import origin_of_copy
from wirebrief.storage.models import Article, FetchAttempt, Source
from wirebrief.times import as_utc, utcnow

# A source's publishing rate is read from the publication times of its newest pages.
RATE_SAMPLE = 200


def add_source(
    session: Session,
    url: str,
    name: str,
    *,
    site_url: str | None = None,
    kind: str = "feed",
    is_demo: bool = False,
    fetch_pages: bool = True,
) -> Source:
    """Register a source; raise :class:`DuplicateSource` when the URL is known."""
    existing = find_source_by_url(session, url)
    if existing is not None:
        raise DuplicateSource(f"{url} is already registered as source {existing.id}")
    source = Source(url=url, name=name, site_url=site_url, kind=kind, is_demo=is_demo,
                    fetch_pages=fetch_pages)  # fmt: skip
    session.add(source)
    session.flush()
    return source


def ensure_source(
    session: Session,
    url: str,
    name: str,
    *,
    site_url: str | None = None,
    kind: str = "feed",
    is_demo: bool = False,
) -> tuple[Source, bool]:
    """The source for ``url``, created if needed; the flag says whether it was created."""
    existing = find_source_by_url(session, url)
    if existing is not None:
        return existing, False
    return add_source(session, url, name, site_url=site_url, kind=kind, is_demo=is_demo), True


def find_source_by_url(session: Session, url: str) -> Source | None:
    """The source registered for exactly this URL."""
    return session.scalars(select(Source).where(Source.url == url)).first()


def get_source(session: Session, source_id: int) -> Source:
    """The source with this id, or :class:`NotFoundError`."""
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"there is no source {source_id}; `wirebrief sources list` shows them")
    return source


def list_sources(session: Session) -> list[Source]:
    """Every source, oldest first."""
    return list(session.scalars(select(Source).order_by(Source.id)))


@dataclass(frozen=True)
class SourceStats:
    """What a source carried, as stored: its own articles, its copies of other outlets'
    articles, and how often it publishes."""

    articles: int = 0  # visible originals (its own articles, copied by others or not)
    copies: int = 0  # visible copies of another outlet's article
    items_per_day: float | None = None  # over the week up to its newest publication
    latest: datetime | None = None  # its newest publication time

    @property
    def pages(self) -> int:
        """Every page it carried: articles and copies."""
        return self.articles + self.copies


def source_stats(session: Session, source_id: int | None = None) -> dict[int, SourceStats]:
    """Per source (or for one): articles and copies carried (visible), and its publishing
    rate from the stored publication times of its newest ``RATE_SAMPLE`` pages."""
    mine = Article.source_id.is_not(None) if source_id is None else Article.source_id == source_id
    counts = session.execute(
        select(Article.source_id, func.count(Article.id), func.count(origin_of_copy()))
        .where(Article.hidden.is_(False), mine)
        .group_by(Article.source_id)
    )
    newest = (
        select(
            Article.source_id,
            Article.published_at,
            func.row_number()
            .over(partition_by=Article.source_id, order_by=Article.published_at.desc())
            .label("nth"),
        )
        .where(Article.hidden.is_(False), mine, Article.published_at.is_not(None))
        .subquery()
    )
    times: dict[int, list[datetime]] = {}
    for source_id, published in session.execute(
        select(newest.c.source_id, newest.c.published_at).where(newest.c.nth <= RATE_SAMPLE)
    ):
        times.setdefault(source_id, []).append(published)
    return {
        source_id: SourceStats(pages - copies, copies, *_rate(times.get(source_id, [])))
        for source_id, pages, copies in counts
        if source_id is not None
    }


def _rate(published: list[datetime]) -> tuple[float | None, datetime | None]:
    """Items per day over the week up to the source's newest item (not up to now: a quiet
    source keeps the rate it had; its newest time says how quiet), and that time."""
    if not published:
        return None, None
    latest = max(published)
    return polling.items_per_day(published, latest), latest


def remove_source(session: Session, source_id: int) -> Source:
    """Delete a source and its fetch log; its articles stay, detached from it."""
    source = get_source(session, source_id)
    session.execute(delete(FetchAttempt).where(FetchAttempt.source_id == source_id))
    session.delete(source)
    return source


def is_due(source: Source, now: datetime | None = None) -> bool:
    """Whether the source's next poll time has come (never polled counts)."""
    return source.next_poll_at is None or source.next_poll_at <= (now or utcnow())


def due_source_ids(db: Database, now: datetime | None = None) -> list[int]:
    """Enabled, unblocked sources whose next poll time has come, never-polled first.

    Reads in a transaction of its own, so pollers can call it from a thread.
    """
    now = now or utcnow()
    query = (
        select(Source.id)
        .where(Source.enabled.is_(True), Source.blocked.is_(False))
        .where(or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now))
        .order_by(Source.next_poll_at.is_not(None), Source.next_poll_at, Source.id)
    )
    with db.session() as session:
        return list(session.scalars(query))


def next_due(session: Session) -> Source | None:
    """The enabled, unblocked source whose next poll comes first (``None`` if there is none)."""
    query = (
        select(Source)
        .where(Source.enabled.is_(True), Source.blocked.is_(False))
        .order_by(Source.next_poll_at.is_not(None), Source.next_poll_at, Source.id)
        .limit(1)
    )
    return session.scalars(query).first()


def late_sources(
    session: Session, *, by_s: float = 0.0, limit: int | None = None, now: datetime | None = None
) -> list[tuple[int, float]]:
    """Followed sources more than ``by_s`` past their poll time (a never-polled one: since
    it was added), the latest first, each with how late it is in seconds. A source stays
    late only while nothing polls it: ``wirebrief run`` or the scheduler stopped."""
    now = now or utcnow()
    due_at = func.coalesce(Source.next_poll_at, Source.created_at)
    query = (
        select(Source.id, due_at)
        .where(Source.enabled.is_(True), Source.blocked.is_(False))
        .where(due_at < now - timedelta(seconds=by_s))
        .order_by(due_at, Source.id)
        .limit(limit)
    )
    return [
        (source_id, (now - as_utc(at)).total_seconds()) for source_id, at in session.execute(query)
    ]


def record_success(
    source: Source,
    *,
    status: str,
    settings: Settings,
    problem: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    published: list[datetime | None] | None = None,
    now: datetime | None = None,
) -> None:
    """Store a successful poll (``ok`` or ``not_modified``) and schedule the next one."""
    now = now or utcnow()
    source.last_polled_at = source.last_success_at = now
    source.last_status = status
    source.last_error = problem
    source.last_error_reason = "malformed_feed" if problem else None
    source.consecutive_failures = 0
    source.etag = etag or source.etag
    source.last_modified = last_modified or source.last_modified
    if published is not None:
        source.items_per_day = polling.items_per_day(published, now)
    interval = polling.success_interval_s(source.poll_interval_s, source.items_per_day, settings)
    source.next_poll_at = now + timedelta(seconds=interval)


def forget_validators(source: Source) -> None:
    """Drop the listing's ETag and Last-Modified: the next poll reads it in full."""
    source.etag = source.last_modified = None


def record_failure(
    source: Source,
    *,
    error: str,
    reason: str,
    settings: Settings,
    retry_after_s: float | None = None,
    now: datetime | None = None,
) -> None:
    """Store a failed poll; the next one backs off exponentially (never dropped)."""
    now = now or utcnow()
    source.last_polled_at = now
    source.last_status = "failed"
    source.last_error = error
    source.last_error_reason = reason
    source.consecutive_failures += 1
    delay = polling.failure_delay_s(source.consecutive_failures, retry_after_s, settings)
    source.next_poll_at = now + timedelta(seconds=delay)
