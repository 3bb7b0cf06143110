"""The asset registry: the shipped data file, CSV import, and assets in the database."""

from __future__ import annotations

import pytest

from wirebrief.errors import NotFoundError, RegistryError
from wirebrief.markets import catalog
from wirebrief.markets.registry import (
    Registry,
    builtin_assets,
    read_assets_csv,
    stop_phrases,
)
from wirebrief.markets.types import AssetSpec
from wirebrief.storage import assets as asset_store
from wirebrief.storage.db import Database

HEADER = "symbol,name,kind,exchange,currency,ticker,aliases,ambiguous,provider_ids\n"


def test_builtin_registry_covers_the_assets_news_is_about() -> None:
    registry = Registry(builtin_assets())
    expected = {
        "TSLA": "Tesla", "NVDA": "Nvidia", "BABA": "Alibaba", "BTC": "bitcoin",
        "ETH": "ether", "SOL": "solana", "XAU": "spot gold", "XAG": "spot silver",
        "WTI": "crude oil", "SPX": "S&P 500", "DJI": "Dow Jones Industrial Average",
    }  # fmt: skip
    for symbol, alias in expected.items():
        spec = registry.get(symbol)
        assert spec is not None, symbol
        assert alias in spec.aliases, (symbol, spec.aliases)
    assert registry.get("XRP") is not None
    assert "Ethereum".lower() in registry.get("ETH").aliases
    assert registry.get("XAU").ambiguous == ("gold",)
    assert {spec.kind for spec in registry} == {"stock", "crypto", "commodity", "index"}
    assert len(registry) >= 100
    assert registry.get("tsla") is registry.get("TSLA")


def test_builtin_registry_is_consistent() -> None:
    specs = builtin_assets()
    assert len({spec.symbol.upper() for spec in specs}) == len(specs)
    for spec in specs:
        assert spec.name and spec.currency
        assert spec.ticker_needs_context or len(spec.symbol) > 2, spec.symbol
        for alias in (*spec.aliases, *spec.ambiguous):
            assert alias == alias.strip() and alias, spec.symbol
    assert registry_id("BTC", "coingecko") == "bitcoin"
    assert registry_id("TSLA", "stooq") == "tsla.us"
    assert registry_id("BRK.B", "yahoo") == "BRK-B"
    assert "gold medal" in stop_phrases()


def registry_id(symbol: str, provider: str) -> str | None:
    spec = Registry(builtin_assets()).get(symbol)
    assert spec is not None
    return spec.provider_id(provider)


def test_read_assets_csv_with_defaults_and_markers() -> None:
    (acme, union) = read_assets_csv(
        HEADER
        + "ACME,Acme Corp.,Stock,NYSE,,,Acme|Acme Corp,Road Runner,yahoo=ACME;stooq=acme.us\n"
        + "U,Union,crypto,,usd,,,Union,\n"
    )
    assert acme == AssetSpec(
        "ACME", "Acme Corp.", "stock", "NYSE", "USD", ("Acme", "Acme Corp"), ("Road Runner",),
        False, {"yahoo": "ACME", "stooq": "acme.us"},
    )  # fmt: skip
    assert union.ticker_needs_context  # one or two letters: context by default
    assert union.provider_ids == {}


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("name,kind\nAcme,stock\n", "no symbol column"),
        (HEADER.replace("provider_ids", "price_ids"), "unknown column price_ids"),
        (HEADER + "ACME,Acme,bond,,,,,,\n", "line 2: kind 'bond' is not one of"),
        (HEADER + "ACME,Acme,stock,,,maybe,,,\n", "line 2: ticker must be plain"),
        (HEADER + "ACME,Acme,stock,,,,,,yahoo\n", "line 2: provider_ids entry 'yahoo'"),
        (HEADER + "A C,Acme,stock,,,,,,\n", "may not contain spaces"),
        (
            HEADER + "ACME,Acme,stock,,,,,,\nacme,Acme 2,stock,,,,,,\n",
            "line 3: symbol acme appears twice",
        ),
        (HEADER + ",Acme,stock,,,,,,\n", "line 2: symbol and name must not be empty"),
    ],
)
def test_read_assets_csv_errors_say_where_and_what(csv_text: str, message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        read_assets_csv(csv_text, "mine.csv")


def test_stored_assets_round_trip_and_import(db: Database) -> None:
    spec = AssetSpec(
        "ACME", "Acme Corp.", "stock", "NYSE", "USD", ("Acme",), ("Road Runner",), True,
        {"yahoo": "ACME"},
    )  # fmt: skip
    with db.session() as session:
        assert asset_store.import_assets(session, [spec]) == (1, 0)
    with db.session() as session:
        assert asset_store.stored_specs(session) == [spec]
        renamed = AssetSpec("acme", "Acme Inc.", "stock", aliases=("Acme Inc",))
        assert asset_store.import_assets(session, [renamed]) == (0, 1)
        assert catalog.get_asset(session, "Acme").name == "Acme Inc."


def test_builtin_assets_are_stored_on_first_use(db: Database) -> None:
    with db.session() as session:
        tesla = catalog.get_asset(session, "tsla")
        assert (tesla.symbol, tesla.kind, tesla.exchange) == ("TSLA", "stock", "NASDAQ")
        assert asset_store.ensure_asset(session, asset_store.spec_of(tesla)).id == tesla.id
        with pytest.raises(NotFoundError, match="there is no asset NOPE"):
            catalog.get_asset(session, "NOPE")
    with db.session() as session:
        assert [spec.symbol for spec in asset_store.stored_specs(session)] == ["TSLA"]
