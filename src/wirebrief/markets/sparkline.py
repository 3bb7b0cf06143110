"""Server-rendered SVG charts: a sparkline for the article widget, a price chart with the
stories about the asset marked on its time axis. No script runs in the browser; colours
come from CSS classes, so the strict Content-Security-Policy holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from wirebrief.markets.quotes import bar_at, format_price
from wirebrief.markets.types import Bar


@dataclass(frozen=True)
class ChartMark:
    """A story on the time axis: when, what, and where to read it."""

    at: datetime
    label: str
    href: str


class _Scale:
    """Maps (time, price) to SVG coordinates inside a padded box."""

    def __init__(self, bars: Sequence[Bar], width: float, height: float, pad: tuple[float, ...]):
        top, right, bottom, left = pad
        self.left, self.right = left, width - right
        self.top, self.bottom = top, height - bottom
        self.t0 = bars[0].at.timestamp()
        self.t1 = bars[-1].at.timestamp()
        closes = [bar.close for bar in bars]
        self.low, self.high = min(closes), max(closes)

    def x(self, when: datetime) -> float:
        span = self.t1 - self.t0
        share = (when.timestamp() - self.t0) / span if span else 0.5
        return self.left + share * (self.right - self.left)

    def y(self, price: float) -> float:
        span = self.high - self.low
        share = (price - self.low) / span if span else 0.5
        return self.bottom - share * (self.bottom - self.top)

    def points(self, bars: Sequence[Bar]) -> str:
        return " ".join(f"{self.x(bar.at):.1f},{self.y(bar.close):.1f}" for bar in bars)


def sparkline_svg(
    bars: Sequence[Bar],
    label: str,
    *,
    marker_at: datetime | None = None,
    width: int = 120,
    height: int = 32,
) -> Markup:
    """A small line chart of closes; ``marker_at`` puts a dot on that time's bar."""
    if len(bars) < 2:
        return Markup("")
    scale = _Scale(bars, width, height, (3, 3, 3, 3))
    dot = ""
    marked = bar_at(bars, marker_at) if marker_at else None
    if marked is not None:
        dot = (
            f'<circle class="spark-marker" cx="{scale.x(marked.at):.1f}" '
            f'cy="{scale.y(marked.close):.1f}" r="2.5"/>'
        )
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<polyline class="spark-line" points="{scale.points(bars)}"/>{dot}</svg>'
    )


def price_chart_svg(
    bars: Sequence[Bar],
    label: str,
    marks: Sequence[ChartMark] = (),
    *,
    currency: str | None = None,
    width: int = 720,
    height: int = 260,
) -> Markup:
    """A price chart with low/high and first/last date labels and story marks as links."""
    if len(bars) < 2:
        return Markup("")
    scale = _Scale(bars, width, height, (30, 16, 28, 72))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
    ]
    for price in (scale.high, scale.low):
        y = scale.y(price)
        parts.append(
            f'<line class="chart-grid" x1="{scale.left}" x2="{scale.right}" y1="{y:.1f}" '
            f'y2="{y:.1f}"/><text class="chart-axis" x="{scale.left - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(format_price(price))}</text>'
        )
    for bar, anchor in ((bars[0], "start"), (bars[-1], "end")):
        parts.append(
            f'<text class="chart-axis" x="{scale.x(bar.at):.1f}" y="{height - 8}" '
            f'text-anchor="{anchor}">{bar.at:%Y-%m-%d}</text>'
        )
    parts.append(f'<polyline class="chart-line" points="{scale.points(bars)}"/>')
    for mark in marks:
        at_mark = bar_at(bars, mark.at)
        if at_mark is None or (mark.at - bars[-1].at).total_seconds() > 86400:
            continue  # outside the chart's days
        x, y = scale.x(at_mark.at), scale.y(at_mark.close)  # on the line, at the story's bar
        parts.append(
            f'<a class="chart-mark" href="{escape(mark.href)}"><title>{escape(mark.label)}'
            f"</title>"
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{scale.bottom}" y2="{y:.1f}"/>'
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5"/></a>'
        )
    unit = f" · {escape(currency)}" if currency else ""
    parts.append(
        f'<text class="chart-axis" x="{scale.left}" y="14">{escape(label)}{unit}</text></svg>'
    )
    return Markup("".join(parts))
