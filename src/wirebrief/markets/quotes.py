"""Price bars, series and quotes: the last price, the 24 h change and the move since a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from wirebrief.markets.types import Bar, PriceSeries
from wirebrief.times import as_utc


@dataclass(frozen=True)
class Quote:
    """The newest price and how it moved over the last 24 hours."""

    symbol: str
    last: float
    currency: str
    as_of: datetime
    change_24h: float | None
    change_24h_pct: float | None
    provider: str
    sample: bool = False
    stale: bool = False


def quote(series: PriceSeries) -> Quote | None:
    """The quote of a series: the 24 h change compares the last bar with the newest bar
    at least 24 h older (for daily bars of stocks, the previous trading day).
    """
    if not series.bars:
        return None
    last = series.bars[-1]
    before = bar_at(series.bars, last.at - timedelta(hours=24))
    change = last.close - before.close if before else None
    return Quote(
        symbol=series.symbol,
        last=last.close,
        currency=series.currency,
        as_of=last.at,
        change_24h=change,
        change_24h_pct=percent(before.close, last.close) if before else None,
        provider=series.provider,
        sample=series.sample,
        stale=series.stale,
    )


def bar_at(bars: Sequence[Bar], when: datetime) -> Bar | None:
    """The newest bar that started at or before ``when`` (``None`` when all are later)."""
    when = as_utc(when)
    found = None
    for bar in bars:
        if bar.at > when:
            break
        found = bar
    return found


def change_since(series: PriceSeries, when: datetime | None) -> float | None:
    """Percent move from the bar of ``when`` (with daily bars, that day's close) to the last.

    ``None`` when the series does not cover ``when``.
    """
    if when is None or not series.bars:
        return None
    start = bar_at(series.bars, when)
    if start is None or start is series.bars[-1]:
        return None
    return percent(start.close, series.bars[-1].close)


def percent(old: float, new: float) -> float | None:
    """``new`` relative to ``old``, in percent."""
    return (new - old) / old * 100.0 if old else None


def format_price(value: float, currency: str | None = None) -> str:
    """'104,230.50 USD', '0.001582 USD': more decimals for small prices."""
    if abs(value) >= 1:
        text = f"{value:,.2f}"
    elif abs(value) >= 0.01:
        text = f"{value:.4f}"
    else:
        text = f"{value:.6g}"
    return f"{text} {currency}" if currency else text


def format_change(pct: float | None) -> str:
    """'+3.1 %', '\u22120.4 %' (a real minus sign), '0.0 %'; '' when unknown."""
    if pct is None:
        return ""
    rounded = round(pct, 1)
    if rounded > 0:
        return f"+{rounded:.1f} %"
    if rounded < 0:
        return f"\u2212{abs(rounded):.1f} %"
    return "0.0 %"


def direction(pct: float | None) -> str:
    """'up', 'down' or 'flat', for CSS classes and words next to the colour."""
    if pct is None or round(pct, 1) == 0:
        return "flat"
    return "up" if pct > 0 else "down"
