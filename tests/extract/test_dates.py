"""Publication and modification times: parsing, zones, and page versus feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from wirebrief.extract.dates import (
    has_time_of_day,
    modification_time,
    parse_date,
    publication_time,
)
from wirebrief.extract.extractor import ExtractedPage
from wirebrief.feeds.parser import FeedEntry

PLUS_TWO = timezone(timedelta(hours=2))
FEED_TIME = datetime(2024, 5, 16, 6, 0, tzinfo=UTC)


def page(**times: datetime | None) -> ExtractedPage:
    return ExtractedPage(
        url="https://tide.example/a", title="t", author=None, site_name=None, lang=None,
        description=None, canonical_url=None, image=None, body=None, page=None,
        published=times.get("published"), meta_published=times.get("meta_published"),
        modified=times.get("modified"),
    )  # fmt: skip


def entry(published: datetime | None = FEED_TIME, updated: datetime | None = None) -> FeedEntry:
    return FeedEntry("https://tide.example/a", "g", "t", None, published, updated, "", "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-14T09:30:00+0200", datetime(2024, 5, 14, 9, 30, tzinfo=PLUS_TWO)),
        ("2024-05-14T09:30:00+02:00", datetime(2024, 5, 14, 9, 30, tzinfo=PLUS_TWO)),
        ("2024-05-14 09:30:00+02:00", datetime(2024, 5, 14, 9, 30, tzinfo=PLUS_TWO)),
        ("2024-05-14T07:30:00.000Z", datetime(2024, 5, 14, 7, 30, tzinfo=UTC)),
        ("Tue, 14 May 2024 09:30:00 +0200", datetime(2024, 5, 14, 9, 30, tzinfo=PLUS_TWO)),
        ("2024-05-14T09:30:00", datetime(2024, 5, 14, 9, 30, tzinfo=UTC)),  # no zone: UTC
        ("2024-05-14", datetime(2024, 5, 14, tzinfo=UTC)),
        ("last Tuesday", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text: str | None, expected: datetime | None) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    if expected is not None and expected.tzinfo is PLUS_TWO:
        assert parsed.utcoffset() == timedelta(hours=2)  # the page's offset is kept


def test_has_time_of_day() -> None:
    assert has_time_of_day(datetime(2024, 5, 14, 9, 30, tzinfo=UTC))
    assert not has_time_of_day(datetime(2024, 5, 14, tzinfo=UTC))
    assert not has_time_of_day(None)


def test_page_time_of_day_wins_over_the_feed() -> None:
    page_time = datetime(2024, 5, 14, 9, 30, tzinfo=PLUS_TWO)
    assert publication_time(page(published=page_time), entry()) == page_time


def test_feed_time_wins_over_a_page_date_without_time() -> None:
    day_only = datetime(2024, 5, 14, tzinfo=UTC)
    assert publication_time(page(published=day_only), entry()) == FEED_TIME


def test_page_meta_time_when_neither_htmldate_nor_the_feed_has_one() -> None:
    meta_time = datetime(2024, 5, 14, 9, 30, tzinfo=PLUS_TWO)
    day_only = datetime(2024, 5, 14, tzinfo=UTC)
    chosen = publication_time(page(published=day_only, meta_published=meta_time), None)
    assert chosen == meta_time


def test_a_date_without_time_beats_nothing() -> None:
    day_only = datetime(2024, 5, 14, tzinfo=UTC)
    assert publication_time(page(published=day_only), entry(published=None)) == day_only
    assert publication_time(page(), None) is None


def test_modified_from_the_page_then_the_feed() -> None:
    published = datetime(2024, 5, 14, 9, 30, tzinfo=PLUS_TWO)
    later = published + timedelta(hours=3)
    assert modification_time(page(modified=later), entry(), published) == later
    assert modification_time(page(), entry(updated=later), published) == later


def test_modified_not_after_publication_is_no_modification() -> None:
    published = datetime(2024, 5, 14, 9, 30, tzinfo=PLUS_TWO)
    assert modification_time(page(modified=published), None, published) is None
    assert modification_time(page(), entry(updated=published), published) is None
    assert modification_time(page(), None, published) is None
