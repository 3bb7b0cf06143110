"""Quotes (last, 24 h change, move since publication) and the server-rendered SVG charts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lxml import etree

from wirebrief.markets.quotes import (
    Bar,
    PriceSeries,
    change_since,
    direction,
    format_change,
    format_price,
    quote,
)
from wirebrief.markets.sparkline import ChartMark, price_chart_svg, sparkline_svg

DAY = timedelta(days=1)
START = datetime(2026, 11, 16, tzinfo=UTC)


def series(*closes: float, step: timedelta = DAY) -> PriceSeries:
    bars = tuple(Bar(START + n * step, close) for n, close in enumerate(closes))
    return PriceSeries("BTC", bars, "USD", "files")


def test_quote_compares_the_last_bar_with_the_one_a_day_before() -> None:
    current = quote(series(100, 104, 102))
    assert current is not None
    assert (current.last, current.currency, current.as_of) == (102, "USD", START + 2 * DAY)
    assert round(current.change_24h_pct or 0, 4) == round((102 - 104) / 104 * 100, 4)
    hourly = quote(series(*range(100, 126), step=timedelta(hours=1)))
    assert hourly is not None and hourly.change_24h == 24  # 125 against the bar 24 h earlier
    assert quote(series(100)).change_24h is None  # type: ignore[union-attr]
    assert quote(series()) is None


def test_weekends_compare_with_the_previous_trading_day() -> None:
    friday, monday = datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)
    prices = PriceSeries("TSLA", (Bar(friday, 400.0), Bar(monday, 410.0)), "USD", "files")
    assert quote(prices).change_24h == 10  # type: ignore[union-attr]


def test_change_since_publication_uses_the_bar_of_that_time() -> None:
    prices = series(100, 110, 121)
    published = START + DAY + timedelta(hours=15)  # during the second day
    assert round(change_since(prices, published) or 0, 6) == 10.0
    assert change_since(prices, START - DAY) is None  # before the series
    assert change_since(prices, START + 5 * DAY) is None  # after the last bar
    assert change_since(prices, None) is None
    naive = datetime(2026, 11, 16, 12)
    assert round(change_since(prices, naive) or 0, 6) == 21.0


def test_formatting_says_the_direction_in_text() -> None:
    assert format_change(3.14) == "+3.1 %"
    assert format_change(-0.44) == "\u22120.4 %"
    assert format_change(0.01) == "0.0 %"
    assert format_change(None) == ""
    assert [direction(v) for v in (2.0, -2.0, 0.02, None)] == ["up", "down", "flat", "flat"]
    assert format_price(104230.5, "USD") == "104,230.50 USD"
    assert format_price(0.001582, "USD") == "0.001582 USD"
    assert format_price(0.2345) == "0.2345"


def test_sparkline_is_an_accessible_svg_without_inline_style() -> None:
    svg = sparkline_svg(
        series(100, 104, 102, 108).bars, "Bitcoin, last 30 days", marker_at=START + DAY
    )
    root = etree.fromstring(str(svg).encode())
    assert root.tag == "svg" and root.get("role") == "img"
    assert root.get("aria-label") == "Bitcoin, last 30 days"
    points = root.find("polyline").get("points").split()
    assert len(points) == 4
    assert points[0].startswith("3.0,") and points[-1].startswith("117.0,")
    assert root.find("circle") is not None
    assert "style" not in str(svg)
    assert sparkline_svg(series(100).bars, "x") == ""


def test_flat_series_draws_a_level_line() -> None:
    root = etree.fromstring(str(sparkline_svg(series(5, 5, 5).bars, "flat")).encode())
    ys = {point.split(",")[1] for point in root.find("polyline").get("points").split()}
    assert len(ys) == 1


def test_price_chart_marks_stories_as_links_and_escapes_labels() -> None:
    prices = series(100, 104, 102, 108)
    marks = [
        ChartMark(START + DAY + timedelta(hours=3), "Bitcoin <reclaims> $104,000", "/articles/7"),
        ChartMark(START - 3 * DAY, "Too early", "/articles/1"),  # outside the chart
    ]
    svg = str(price_chart_svg(prices.bars, "Bitcoin (BTC), last 90 days", marks, currency="USD"))
    root = etree.fromstring(svg.encode())
    links = root.findall("a")
    assert [link.get("href") for link in links] == ["/articles/7"]
    assert links[0].find("title").text == "Bitcoin <reclaims> $104,000"
    texts = [t.text for t in root.iter("text")]
    assert "108.00" in texts and "100.00" in texts
    assert "2026-11-16" in texts and "2026-11-19" in texts
    assert "&lt;reclaims&gt;" in svg
