"""Price layouts read by the providers: OHLCV CSV (Yahoo export, yfinance, Stooq, plain),
JSON bars, CoinGecko ``market_chart`` and Yahoo ``chart`` answers.

Every parser returns bars oldest first, one per time, and raises ``ValueError`` with a
message that names what is wrong.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeGuard

from wirebrief.markets.types import Bar
from wirebrief.times import as_utc

_DATE_COLUMNS = ("date", "datetime", "time", "timestamp", "data")  # "data": Stooq in Polish
_COLUMN_NAMES = {
    "open": ("open", "o", "otwarcie"),
    "high": ("high", "h", "najwyzszy"),
    "low": ("low", "l", "najnizszy"),
    "close": ("close", "c", "price", "zamkniecie", "adj close", "adj_close"),
    "volume": ("volume", "v", "vol", "wolumen"),
}


def parse_ohlcv_csv(text: str) -> list[Bar]:
    """A CSV with a date column and at least a close (case-insensitive headers).

    Yahoo's export (``Date,Open,High,Low,Close,Adj Close,Volume``, ``null`` for missing
    values), yfinance dumps (``2018-01-02 00:00:00-05:00``), Stooq
    (``Date,Open,High,Low,Close,Volume``) and plain lower-case headers all read; ``;``
    works as the separator too. Close is preferred over Adj Close.
    """
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader, [])]
    date_index = _find(header, _DATE_COLUMNS)
    columns = {key: _find(header, names) for key, names in _COLUMN_NAMES.items()}
    if date_index is None or columns["close"] is None:
        raise ValueError(
            f"no date and close columns in the header {first_line.strip()[:80]!r}; "
            "expected e.g. Date,Open,High,Low,Close,Volume"
        )
    rows = []
    for line, row in enumerate(reader, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        try:
            rows.append(
                {"at": row[date_index], **{k: row[i] for k, i in columns.items() if i is not None}}
            )
        except IndexError:
            raise ValueError(f"line {line} has {len(row)} cells, the header more") from None
    return bars_from_records(rows)


def parse_json_bars(data: Any) -> tuple[list[Bar], str | None]:
    """Bars and currency (when given) from any JSON layout the providers know:

    ``[{"date", "open", "high", "low", "close", "volume"}, ...]`` (also ``time``,
    ``timestamp`` in seconds or milliseconds, and one-letter keys), ``{"currency": ...,
    "bars": [...]}``, a CoinGecko ``market_chart`` or a Yahoo ``chart`` answer.
    """
    if isinstance(data, Mapping):
        if "chart" in data:
            return parse_yahoo_chart(data)
        if "prices" in data and _is_pairs(data["prices"]):
            return parse_coingecko_chart(data), None
        bars = data.get("bars", data.get("prices", data.get("data")))
        if isinstance(bars, list):
            currency = data.get("currency")
            return bars_from_records(bars), currency.upper() if isinstance(currency, str) else None
    if isinstance(data, list):
        return bars_from_records(data), None
    raise ValueError("JSON is neither a list of bars nor a known provider answer")


def parse_coingecko_chart(data: Mapping[str, Any]) -> list[Bar]:
    """CoinGecko ``/coins/{id}/market_chart``: ``{"prices": [[ms, price], ...],
    "total_volumes": [[ms, volume], ...]}``.
    """
    prices = data.get("prices")
    if not _is_pairs(prices):
        raise ValueError("a CoinGecko answer without a prices list of [time, price] pairs")
    volumes = {int(t): v for t, v in data.get("total_volumes") or () if _is_number(v)}
    records = [{"at": t, "close": p, "volume": volumes.get(int(t))} for t, p in prices]
    return bars_from_records(records)


def parse_yahoo_chart(data: Mapping[str, Any]) -> tuple[list[Bar], str | None]:
    """Yahoo ``/v8/finance/chart/{symbol}``: ``timestamp`` and ``indicators.quote[0]``."""
    chart = data.get("chart") or {}
    error = chart.get("error")
    if error:
        description = error.get("description") if isinstance(error, Mapping) else error
        raise ValueError(f"Yahoo chart error: {description}")
    results = chart.get("result") or []
    if not results or not isinstance(results[0], Mapping):
        raise ValueError("a Yahoo chart answer without a result")
    result = results[0]
    stamps = result.get("timestamp") or []
    quotes = ((result.get("indicators") or {}).get("quote") or [{}])[0]
    columns = {key: quotes.get(key) or [] for key in _OHLCV}
    records = [
        {"at": stamp, **{key: _item(values, i) for key, values in columns.items()}}
        for i, stamp in enumerate(stamps)
    ]
    currency = (result.get("meta") or {}).get("currency")
    return bars_from_records(records), currency.upper() if isinstance(currency, str) else None


_OHLCV = ("open", "high", "low", "close", "volume")


def bars_from_records(records: Iterable[Any]) -> list[Bar]:
    """Bars from dicts with a time and at least a close; rows without a close are skipped
    (Yahoo writes ``null`` on holidays). Later rows for the same time win.
    """
    bars: dict[datetime, Bar] = {}
    for record in records:
        if not isinstance(record, Mapping):
            raise ValueError(f"a bar must be an object, not {type(record).__name__}")
        values = {key.lower(): value for key, value in record.items() if isinstance(key, str)}
        stamp = next((values[k] for k in ("at", *_DATE_COLUMNS, "t") if k in values), None)
        if stamp is None:
            raise ValueError("a bar has no date, time or timestamp")
        fields = {
            key: _number(next((values[n] for n in names if n in values), None))
            for key, names in _COLUMN_NAMES.items()
        }
        close = fields.pop("close")
        if close is None:
            continue
        at = parse_time(stamp)
        bars[at] = Bar(at=at, close=close, **fields)
    if not bars:
        raise ValueError("no bars with a price")
    return sorted(bars.values(), key=lambda bar: bar.at)


def parse_time(value: Any) -> datetime:
    """ISO dates and times (offset or not: UTC assumed) or Unix seconds or milliseconds."""
    if _is_number(value) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if len(str(int(number))) == 8:  # 20261126: Stooq's compact date
            return datetime.strptime(str(int(number)), "%Y%m%d").replace(tzinfo=UTC)
        seconds = number / 1000 if number > 1e11 else number
        return datetime.fromtimestamp(seconds, UTC)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a date such as 2026-11-26") from None
    return as_utc(parsed)


def loads(body: bytes | str) -> Any:
    """JSON, or ``ValueError``."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from None


def _find(header: list[str], names: Iterable[str]) -> int | None:
    return next((header.index(name) for name in names if name in header), None)


def _number(value: Any) -> float | None:
    if value is None or value == "" or value == "null":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a number") from None
    return number if math.isfinite(number) else None


def _item(values: list[Any], index: int) -> Any:
    return values[index] if index < len(values) else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_pairs(value: Any) -> TypeGuard[list[list[Any]]]:
    return isinstance(value, list) and all(
        isinstance(pair, list) and len(pair) == 2 for pair in value[:5]
    )
