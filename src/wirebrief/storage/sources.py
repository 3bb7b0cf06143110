"""Source records: add, list, remove, schedule."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from wirebrief.errors import NotFoundError, WirebriefError
from wirebrief.storage.models import Source
from wirebrief.storage.types import utcnow


class DuplicateSource(WirebriefError):
    """A source with this URL is already registered."""


def add_source(
    session: Session,
    url: str,
    name: str,
    *,
    site_url: str | None = None,
    kind: str = "feed",
    is_demo: bool = False,
) -> Source:
    """Register a source; raise :class:`DuplicateSource` when the URL is known."""
    existing = find_source_by_url(session, url)
    if existing is not None:
        raise DuplicateSource(f"{url} is already registered as source {existing.id}")
    source = Source(url=url, name=name, site_url=site_url, kind=kind, is_demo=is_demo)
    session.add(source)
    session.flush()
    return source


def ensure_source(
    session: Session, url: str, name: str, *, site_url: str | None = None, is_demo: bool = False
) -> tuple[Source, bool]:
    """The source for ``url``, created if needed; the flag says whether it was created."""
    existing = find_source_by_url(session, url)
    if existing is not None:
        return existing, False
    return add_source(session, url, name, site_url=site_url, is_demo=is_demo), True


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


def remove_source(session: Session, source_id: int) -> Source:
    """Delete a source; its articles stay, detached from it."""
    source = get_source(session, source_id)
    session.delete(source)
    return source


def due_sources(session: Session, now: datetime | None = None) -> list[Source]:
    """Enabled, unblocked sources whose next poll time has come."""
    now = now or utcnow()
    query = (
        select(Source)
        .where(Source.enabled.is_(True), Source.blocked.is_(False))
        .where(or_(Source.next_poll_at.is_(None), Source.next_poll_at <= now))
        .order_by(Source.next_poll_at.is_not(None), Source.next_poll_at, Source.id)
    )
    return list(session.scalars(query))


def record_poll(
    source: Source,
    *,
    status: str,
    error: str | None,
    default_interval_s: int,
    etag: str | None = None,
    last_modified: str | None = None,
    now: datetime | None = None,
) -> None:
    """Store the outcome of one poll and schedule the next (backing off after failures)."""
    now = now or utcnow()
    source.last_polled_at = now
    source.last_status = status
    source.last_error = error
    if status == "failed":
        source.consecutive_failures += 1
    else:
        source.consecutive_failures = 0
        source.etag = etag or source.etag
        source.last_modified = last_modified or source.last_modified
    interval = source.poll_interval_s or default_interval_s
    backoff = min(2 ** min(source.consecutive_failures, 6), 48)
    source.next_poll_at = now + timedelta(seconds=interval * backoff)
