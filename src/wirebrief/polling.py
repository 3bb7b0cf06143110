"""When to poll a source next: adaptive to its publishing rate, backing off on failure."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from wirebrief.settings import Settings

RATE_WINDOW = timedelta(days=7)


def items_per_day(published: Iterable[datetime | None], now: datetime) -> float | None:
    """Entries per day over the last week, from the feed's own dates (None when undated)."""
    dated = [when for when in published if when is not None]
    if not dated:
        return None
    recent = [when for when in dated if now - RATE_WINDOW <= when <= now + timedelta(hours=1)]
    return len(recent) / RATE_WINDOW.days


def success_interval_s(override_s: int | None, rate: float | None, settings: Settings) -> float:
    """The user's interval if set; else about one poll per new item, within the bounds."""
    if override_s:
        return float(override_s)
    if rate is None:
        return float(settings.default_poll_interval_s)
    ideal = 86400.0 / rate if rate > 0 else float(settings.max_poll_interval_s)
    return min(max(ideal, settings.min_poll_interval_s), settings.max_poll_interval_s)


def failure_delay_s(failures: int, retry_after_s: float | None, settings: Settings) -> float:
    """Exponential backoff with jitter from the normal interval; Retry-After is a floor."""
    base = settings.min_poll_interval_s
    backoff = min(settings.max_poll_interval_s, base * 2 ** max(0, failures - 1))
    backoff *= random.uniform(0.8, 1.2)  # sources that fail together must not retry together
    return max(backoff, retry_after_s or 0.0)
