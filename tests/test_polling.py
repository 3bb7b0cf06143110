"""Adaptive polling intervals and failure backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wirebrief.polling import failure_delay_s, items_per_day, success_interval_s
from wirebrief.settings import Settings

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SETTINGS = Settings(default_poll_interval_s=900, min_poll_interval_s=300, max_poll_interval_s=86400)


def test_rate_counts_the_last_week_only() -> None:
    times = [NOW - timedelta(days=d) for d in (0.5, 1, 2, 3, 10, 30)] + [None]
    assert items_per_day(times, NOW) == pytest.approx(4 / 7)
    assert items_per_day([None, None], NOW) is None
    assert items_per_day([], NOW) is None


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (None, 900),  # undated feed: the default
        (0.0, 86400),  # nothing this week: once a day
        (1.0, 86400),  # one a day
        (24.0, 3600),  # hourly publisher: hourly polls
        (1000.0, 300),  # a firehose is still polled at most every 5 minutes
    ],
)
def test_interval_follows_the_publishing_rate_within_bounds(
    rate: float | None, expected: int
) -> None:
    assert success_interval_s(None, rate, SETTINGS) == expected


def test_user_override_wins() -> None:
    assert success_interval_s(120, 1000.0, SETTINGS) == 120


def test_backoff_grows_with_jitter_and_respects_retry_after() -> None:
    delays = [failure_delay_s(n, None, SETTINGS) for n in range(1, 8)]
    for n, delay in enumerate(delays, start=1):
        expected = min(86400, 300 * 2 ** (n - 1))
        assert 0.8 * expected <= delay <= 1.2 * expected
    assert failure_delay_s(1, 7200, SETTINGS) >= 7200
    assert failure_delay_s(30, None, SETTINGS) <= 1.2 * 86400
