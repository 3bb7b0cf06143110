"""Price providers: the layouts of price files, and HTTP providers against a replay server
on 127.0.0.1 that answers in the providers' real formats (and fails as they fail).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.support.httpserver import FixtureServer, Route
from wirebrief.errors import (
    ConfigError,
    NoPrices,
    PriceDataError,
    PriceNotListed,
    PriceRateLimited,
    PriceUnavailable,
)
from wirebrief.markets.prices import PriceBook
from wirebrief.markets.providers import FileProvider, HttpProvider, build_providers
from wirebrief.markets.providers.formats import parse_json_bars, parse_ohlcv_csv
from wirebrief.markets.providers.http import HTTP_APIS
from wirebrief.markets.registry import Registry, builtin_assets
from wirebrief.markets.types import AssetSpec
from wirebrief.settings import Settings
from wirebrief.storage import assets as asset_store
from wirebrief.storage.db import Database

TESTDATA = Path(__file__).with_name("testdata")
REGISTRY = Registry(builtin_assets())


def asset(symbol: str) -> AssetSpec:
    spec = REGISTRY.get(symbol)
    assert spec is not None
    return spec


def read(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


# ── layouts ──


def test_yahoo_export_skips_null_rows_and_prefers_close() -> None:
    bars = parse_ohlcv_csv(read("yahoo-export-with-null-row.csv").decode())
    assert [bar.at.date().isoformat() for bar in bars] == [
        "2026-11-18", "2026-11-19", "2026-11-23", "2026-11-24",
    ]  # fmt: skip
    assert bars[1].close == 407.5 and bars[1].volume == 151234500
    assert bars[0].at == datetime(2026, 11, 18, tzinfo=UTC)


def test_yfinance_dump_times_with_offsets_become_utc() -> None:
    bars = parse_ohlcv_csv(read("yfinance-dump-utc-offsets.csv").decode())
    assert bars[0].at == datetime(2026, 11, 20, 5, tzinfo=UTC)
    assert bars[-1].close == 5010.0


def test_stooq_and_semicolon_layouts() -> None:
    assert parse_ohlcv_csv(read("stooq-daily.csv").decode())[-1].close == 61.9
    bars = parse_ohlcv_csv(read("plain-lowercase-semicolons.csv").decode())
    assert [bar.close for bar in bars] == [6994.0, 7050.0]


def test_json_layouts() -> None:
    bars, currency = parse_json_bars(__import__("json").loads(read("bars-with-currency.json")))
    assert currency == "USD" and [bar.close for bar in bars] == [77.4, 82.1]
    bars, _ = parse_json_bars([{"t": 1794787200000, "c": 1.5}, {"t": 1794873600, "c": 1.6}])
    assert [bar.at.day for bar in bars] == [16, 17]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,price\n2026-11-20,1\n", "no date and close columns"),
        ("Date,Close\nyesterday,1\n", "'yesterday' is not a date"),
        ("Date,Close\n2026-11-20,abc\n", "'abc' is not a number"),
        ("Date,Close\n2026-11-20,null\n", "no bars with a price"),
    ],
)
def test_bad_files_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_ohlcv_csv(text)


def test_file_provider_finds_files_by_symbol_or_provider_id(tmp_path: Path) -> None:
    shutil.copy(TESTDATA / "yahoo-export-with-null-row.csv", tmp_path / "tsla.csv")
    shutil.copy(TESTDATA / "yfinance-dump-utc-offsets.csv", tmp_path / "GC=F.csv")
    shutil.copy(TESTDATA / "coingecko-market-chart.json", tmp_path / "bitcoin.json")
    provider = FileProvider(tmp_path)
    assert provider.history(asset("TSLA"), 30).bars[-1].close == 418.3
    gold = provider.history(asset("XAU"), 30)
    assert (gold.symbol, gold.currency, gold.provider, gold.sample) == (
        "XAU",
        "USD",
        "files",
        False,
    )
    assert provider.history(asset("BTC"), 30).bars[1].close == 104230.55
    assert (
        len(provider.history(asset("TSLA"), 2).bars) == 2
    )  # the last two days before the newest bar
    with pytest.raises(PriceNotListed, match="no price file for NVDA"):
        provider.history(asset("NVDA"), 30)
    (tmp_path / "nvda.csv").write_text("garbage")
    with pytest.raises(PriceDataError, match=r"nvda\.csv"):
        provider.history(asset("NVDA"), 30)
    with pytest.raises(PriceUnavailable, match="is not a directory"):
        FileProvider(tmp_path / "missing").history(asset("TSLA"), 30)


def test_shared_price_data_reads_in_place_when_present() -> None:
    shared = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "prices"
    if not shared.is_dir():
        pytest.skip("no ../shared/data/prices here")
    provider = FileProvider(shared.resolve())
    for symbol in ("BTC", "ETH", "SOL", "XRP", "TSLA", "NVDA", "XAU", "XAG"):
        series = provider.history(asset(symbol), 365)
        assert len(series.bars) > 200, symbol


def test_build_providers_from_settings(tmp_path: Path) -> None:
    assert build_providers(Settings()) == []
    (files,) = build_providers(Settings(prices_dir=tmp_path))
    assert isinstance(files, FileProvider)
    named = build_providers(Settings(price_providers=("coingecko", "yahoo", "stooq")))
    assert [provider.name for provider in named] == ["coingecko", "yahoo", "stooq"]
    for provider in named:
        provider.close()
    with pytest.raises(ConfigError, match="WIREBRIEF_PRICES_DIR"):
        build_providers(Settings(price_providers=("files",)))
    with pytest.raises(ConfigError, match="WIREBRIEF_PRICE_PROVIDERS"):
        Settings.from_env({"WIREBRIEF_PRICE_PROVIDERS": "files,bloomberg"})


# ── HTTP providers against a replay server ──


class ByPath(dict):
    """Routes matched on the path alone: the query (dates, ranges) is checked separately."""

    def get(self, key: str, default: Route | None = None) -> Route | None:  # type: ignore[override]
        return super().get(key.split("?", 1)[0], default)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer(ByPath()) as fixture:
        yield fixture


@pytest.fixture
def fast(settings: Settings) -> Settings:
    return settings.with_overrides(read_timeout_s=0.5, price_request_interval_s=0.0)


def provider(name: str, server: FixtureServer, settings: Settings, **kw: object) -> HttpProvider:
    base = {"coingecko": "/api/v3", "yahoo": "", "stooq": ""}[name]
    return HttpProvider(HTTP_APIS[name], server.url(base), settings, **kw)  # type: ignore[arg-type]


def json_route(name: str, status: int = 200, **kw: object) -> Route:
    return Route(read(name), status=status, content_type="application/json", **kw)  # type: ignore[arg-type]


def test_coingecko_market_chart(server: FixtureServer, fast: Settings) -> None:
    server.routes["/api/v3/coins/bitcoin/market_chart"] = json_route("coingecko-market-chart.json")
    series = provider("coingecko", server, fast).history(asset("BTC"), 30)
    assert [bar.close for bar in series.bars] == [100150.12, 104230.55, 103880.01]
    assert series.bars[1].volume == 52800000000.0
    assert (series.currency, series.provider) == ("USD", "coingecko")
    path, headers = server.requests[0]
    assert path == "/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=30"
    assert headers["user-agent"].startswith("Wirebrief/")


def test_yahoo_chart(server: FixtureServer, fast: Settings) -> None:
    server.routes["/v8/finance/chart/NVDA"] = json_route("yahoo-chart.json")
    series = provider("yahoo", server, fast).history(asset("NVDA"), 30)
    assert [bar.close for bar in series.bars] == [197.2, 195.4, 203.9]  # the null day is skipped
    assert series.bars[0].high == 198.0
    assert server.requests[0][0] == "/v8/finance/chart/NVDA?range=1mo&interval=1d"


def test_yahoo_not_found_is_not_listed(server: FixtureServer, fast: Settings) -> None:
    server.routes["/v8/finance/chart/NVDA"] = json_route("yahoo-chart-not-found.json", 404)
    with pytest.raises(PriceNotListed, match="404"):
        provider("yahoo", server, fast).history(asset("NVDA"), 30)
    server.routes["/v8/finance/chart/NVDA"] = json_route("yahoo-chart-not-found.json", 200)
    with pytest.raises(PriceDataError, match="No data found, symbol may be delisted"):
        provider("yahoo", server, fast).history(asset("NVDA"), 30)


def test_stooq_csv_and_its_no_data_answer(server: FixtureServer, fast: Settings) -> None:
    server.routes["/q/d/l/"] = Route(read("stooq-daily.csv"), content_type="text/csv")
    series = provider("stooq", server, fast).history(asset("WTI"), 10)
    assert series.bars[-1].close == 61.9
    query = server.requests[0][0].split("?", 1)[1]
    assert query.startswith("s=cl.f&i=d&d1=") and "&d2=" in query
    server.routes["/q/d/l/"] = Route(b"No data", content_type="text/plain")
    with pytest.raises(PriceNotListed, match="no data"):
        provider("stooq", server, fast).history(asset("WTI"), 10)


def test_asset_without_an_identifier_is_not_asked_for(
    server: FixtureServer, fast: Settings
) -> None:
    with pytest.raises(PriceNotListed, match="TSLA has no coingecko identifier"):
        provider("coingecko", server, fast).history(asset("TSLA"), 30)
    assert server.requests == []


def test_429_stops_asking_for_the_time_the_provider_says(
    server: FixtureServer, fast: Settings
) -> None:
    server.routes["/api/v3/coins/bitcoin/market_chart"] = json_route(
        "coingecko-rate-limited.json", 429, headers={"Retry-After": "120"}
    )
    coingecko = provider("coingecko", server, fast)
    with pytest.raises(PriceRateLimited, match="rate limited; not asking again for 120 s") as info:
        coingecko.history(asset("BTC"), 30)
    assert info.value.retry_after_s == 120
    with pytest.raises(PriceRateLimited):
        coingecko.history(asset("ETH"), 30)
    assert len(server.requests) == 1  # the second call never reached the server


def test_server_errors_timeouts_and_garbage(server: FixtureServer, fast: Settings) -> None:
    routes = server.routes
    yahoo = provider("yahoo", server, fast)
    routes["/v8/finance/chart/NVDA"] = Route(b"oops", status=500, content_type="text/plain")
    with pytest.raises(PriceUnavailable, match="answered HTTP 500; try again later"):
        yahoo.history(asset("NVDA"), 30)
    routes["/v8/finance/chart/NVDA"] = json_route("yahoo-chart.json", delay_s=1.5)
    with pytest.raises(PriceUnavailable, match="timed out"):
        yahoo.history(asset("NVDA"), 30)
    routes["/v8/finance/chart/NVDA"] = Route(read("html-instead-of-json.html"))
    with pytest.raises(PriceDataError, match="is not a price series \\(not JSON"):
        yahoo.history(asset("NVDA"), 30)
    routes["/v8/finance/chart/NVDA"] = Route(b'{"chart": {"result": [{"timestamp": "x"}]}}')
    with pytest.raises(PriceDataError, match="not a price series"):
        yahoo.history(asset("NVDA"), 30)
    routes["/v8/finance/chart/NVDA"] = Route(b"[" * 2_000_000, content_type="application/json")
    with pytest.raises(PriceDataError, match="sent more than"):
        provider("yahoo", server, fast.with_overrides(max_body_bytes=100_000)).history(
            asset("NVDA"), 30
        )


def test_unreachable_provider(fast: Settings) -> None:
    dead = HttpProvider(HTTP_APIS["yahoo"], "http://127.0.0.1:9", fast)
    with pytest.raises(PriceUnavailable, match="cannot reach"):
        dead.history(asset("NVDA"), 30)


def test_requests_to_one_provider_are_spaced(server: FixtureServer, fast: Settings) -> None:
    server.routes["/v8/finance/chart/NVDA"] = json_route("yahoo-chart.json")
    yahoo = provider("yahoo", server, fast.with_overrides(price_request_interval_s=0.3))
    started = time.monotonic()
    for _ in range(3):
        yahoo.history(asset("NVDA"), 30)
    assert time.monotonic() - started >= 0.6


# ── the price book: order, cache, database fallback ──


def test_price_book_asks_in_order_caches_and_stores(
    server: FixtureServer, fast: Settings, db: Database, tmp_path: Path
) -> None:
    server.routes["/v8/finance/chart/NVDA"] = json_route("yahoo-chart.json")
    book = PriceBook([FileProvider(tmp_path), provider("yahoo", server, fast)], db)
    series = book.series(asset("NVDA"), 30)
    assert series.provider == "yahoo" and not series.stale
    book.series(asset("NVDA"), 30)
    assert len(server.requests) == 1  # cached
    with db.session() as session:
        stored = asset_store.stored_series(session, "NVDA")
    assert stored is not None and [bar.close for bar in stored.bars] == [197.2, 195.4, 203.9]


def test_price_book_falls_back_to_stored_prices_marked_stale(
    server: FixtureServer, fast: Settings, db: Database
) -> None:
    server.routes["/v8/finance/chart/NVDA"] = json_route("yahoo-chart.json")
    PriceBook([provider("yahoo", server, fast)], db).series(asset("NVDA"), 30)
    server.routes["/v8/finance/chart/NVDA"] = Route(b"down", status=503)
    series = PriceBook([provider("yahoo", server, fast)], db).series(asset("NVDA"), 30)
    assert series.stale and series.bars[-1].close == 203.9
    assert "answered HTTP 503" in (series.note or "")


def test_price_book_errors_say_why(server: FixtureServer, fast: Settings, tmp_path: Path) -> None:
    with pytest.raises(NoPrices, match="no price provider is configured") as nothing:
        PriceBook([]).series(asset("NVDA"))
    assert nothing.value.unconfigured
    with pytest.raises(NoPrices, match="no price file for NVDA") as unlisted:
        PriceBook([FileProvider(tmp_path)]).series(asset("NVDA"))
    assert unlisted.value.unlisted
    server.routes["/v8/finance/chart/NVDA"] = Route(b"down", status=500)
    book = PriceBook([provider("yahoo", server, fast)])
    for _ in range(2):
        with pytest.raises(NoPrices, match="HTTP 500") as failed:
            book.series(asset("NVDA"))
        assert not failed.value.unlisted and not failed.value.unconfigured
    assert len(server.requests) == 1  # failures are cached briefly too
