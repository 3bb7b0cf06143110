"""One rule for times: naive means UTC, aware is converted to UTC (the same instant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from wirebrief.times import as_utc, utcnow
from wirebrief.web.templating import human_time

PARIS_SUMMER = timezone(timedelta(hours=2))


def test_a_naive_time_is_taken_as_utc() -> None:
    assert as_utc(datetime(2026, 11, 20, 10, 15)) == datetime(2026, 11, 20, 10, 15, tzinfo=UTC)
    assert as_utc(datetime(2026, 11, 20, 10, 15)).tzinfo is UTC


def test_an_aware_time_is_converted_not_relabelled() -> None:
    local = datetime(2026, 6, 1, 9, 0, tzinfo=PARIS_SUMMER)
    converted = as_utc(local)
    assert converted == local  # the same instant
    assert (converted.hour, converted.tzinfo) == (7, UTC)  # shown in UTC


def test_utcnow_is_aware_utc() -> None:
    assert utcnow().tzinfo is UTC


def test_pages_show_naive_and_aware_times_the_same_way_whatever_the_server_zone() -> None:
    assert human_time(datetime(2026, 11, 20, 10, 15)) == "2026-11-20 10:15 UTC"
    assert human_time(datetime(2026, 11, 20, 12, 15, tzinfo=PARIS_SUMMER)) == (
        "2026-11-20 10:15 UTC"
    )
