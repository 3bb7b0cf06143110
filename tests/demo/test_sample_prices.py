"""The demo's sample price series: generated, deterministic, pinned to the stories' prices,
and read by the offline provider like any user's price files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from wirebrief.demo.prices import SAMPLE_ASSETS, US_HOLIDAYS, sample_price_settings, sample_series
from wirebrief.markets.providers import build_providers
from wirebrief.markets.quotes import quote
from wirebrief.markets.registry import Registry, builtin_assets
from wirebrief.settings import Settings


def test_series_are_deterministic_and_pass_through_every_anchor() -> None:
    for asset in SAMPLE_ASSETS:
        rows = sample_series(asset)
        assert rows == sample_series(asset)
        closes = {row["Date"]: row["Close"] for row in rows}
        for day, price in asset.anchors:
            assert abs(closes[day.isoformat()] - price) < 1e-3, (asset.symbol, day)
        for row in rows:
            assert row["Low"] <= min(row["Open"], row["Close"]) <= row["High"]


def test_stocks_trade_on_weekdays_and_crypto_every_day() -> None:
    by_symbol = {asset.symbol: sample_series(asset) for asset in SAMPLE_ASSETS}
    stock_days = [date.fromisoformat(row["Date"]) for row in by_symbol["TSLA"]]
    assert all(day.weekday() < 5 and day not in US_HOLIDAYS for day in stock_days)
    assert stock_days[-1] == date(2026, 11, 25)  # Thanksgiving: closed on the 26th
    crypto_days = [row["Date"] for row in by_symbol["BTC"]]
    assert crypto_days[-1] == "2026-11-26" and len(crypto_days) == len(set(crypto_days))


def test_the_offline_provider_serves_them_labelled_as_samples(tmp_path: Path) -> None:
    settings = Settings().with_overrides(**sample_price_settings(tmp_path))
    assert "Not real prices" in (tmp_path / "README.txt").read_text()
    (provider,) = build_providers(settings)
    registry = Registry(builtin_assets())
    for asset in SAMPLE_ASSETS:
        spec = registry.get(asset.symbol)
        assert spec is not None, asset.symbol
        series = provider.history(spec, 30)
        current = quote(series)
        assert series.sample and current is not None and current.sample
    btc = provider.history(registry.get("BTC"), 30)  # type: ignore[arg-type]
    assert btc.bars[-1].close == SAMPLE_ASSETS[0].anchors[-1][1]
