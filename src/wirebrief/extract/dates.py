"""Publication and modification times: parsing, and choosing between page and feed."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wirebrief.extract.extractor import ExtractedPage
    from wirebrief.feeds.parser import FeedEntry


def parse_date(value: str | None) -> datetime | None:
    """An aware datetime from ISO 8601 (htmldate, meta tags) or RFC 2822 text.

    The zone is kept as the page gives it; no zone (or a bare date) is taken as UTC.
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "T", 1) if len(value) > 10 else value)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def has_time_of_day(value: datetime | None) -> bool:
    """False for dates known only to the day (htmldate gives those as midnight)."""
    return value is not None and (value.hour, value.minute, value.second) != (0, 0, 0)


def publication_time(page: ExtractedPage, entry: FeedEntry | None) -> datetime | None:
    """The first time with a time of day from: htmldate, the feed, the page's meta tags;
    else the first date at all (a date known to the day beats none).
    """
    feed_time = (entry.published or entry.updated) if entry else None
    candidates = [page.published, feed_time, page.meta_published]
    timed = next((c for c in candidates if has_time_of_day(c)), None)
    return timed or next((c for c in candidates if c is not None), None)


def modification_time(
    page: ExtractedPage, entry: FeedEntry | None, published: datetime | None
) -> datetime | None:
    """When the article last changed: the page's meta, else the feed's ``updated``.

    ``None`` when it is not later than the publication time (feeds often repeat it).
    """
    modified = page.modified or (entry.updated if entry else None)
    if modified is None or (published is not None and modified <= published):
        return None
    return modified
