"""HTTP price providers: CoinGecko (crypto), Yahoo's chart API and Stooq's CSV (stocks,
commodities, indices). One client class; each API is a row of ``HTTP_APIS``.

Every provider is polite and fails clearly: requests to one provider are spaced by
``WIREBRIEF_PRICE_REQUEST_INTERVAL`` seconds, a 429 (or 503 with Retry-After) stops all
requests to it for the time asked (60 s when it does not say), bodies are capped, and
timeouts, server errors and answers that are not price series each raise their own
:class:`~wirebrief.errors.PriceError`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import quote

import httpx

from wirebrief.errors import PriceDataError, PriceNotListed, PriceRateLimited, PriceUnavailable
from wirebrief.fetch.fetcher import parse_retry_after
from wirebrief.markets.providers.base import PriceProvider
from wirebrief.markets.providers.formats import (
    loads,
    parse_coingecko_chart,
    parse_ohlcv_csv,
    parse_yahoo_chart,
)
from wirebrief.markets.types import AssetSpec, Bar, PriceSeries

if TYPE_CHECKING:
    from wirebrief.settings import Settings

DEFAULT_COOLDOWN_S = 60.0
MAX_QUEUE_WAIT_S = 10.0  # rather fail than keep a page waiting behind the rate limit
MAX_BODY_BYTES = 8 * 1024 * 1024

Request = Callable[[str, int, datetime], tuple[str, dict[str, str]]]
Parse = Callable[[bytes], tuple[list[Bar], str | None]]


@dataclass(frozen=True)
class HttpApi:
    """How to ask one API for an asset's history and how to read its answer."""

    name: str
    request: Request  # (identifier, days, now) -> (path, query parameters)
    parse: Parse  # body -> (bars, currency or None); LookupError: asset not listed


def _coingecko_request(identifier: str, days: int, now: datetime) -> tuple[str, dict[str, str]]:
    return f"/coins/{quote(identifier, safe='')}/market_chart", {
        "vs_currency": "usd",
        "days": str(days),
    }


def _coingecko_parse(body: bytes) -> tuple[list[Bar], str | None]:
    return parse_coingecko_chart(loads(body)), "USD"


def _yahoo_request(identifier: str, days: int, now: datetime) -> tuple[str, dict[str, str]]:
    ranges = ((5, "5d"), (31, "1mo"), (93, "3mo"), (186, "6mo"), (366, "1y"), (731, "2y"))
    span = next((name for limit, name in ranges if days <= limit), "5y")
    return f"/v8/finance/chart/{quote(identifier, safe='')}", {"range": span, "interval": "1d"}


def _yahoo_parse(body: bytes) -> tuple[list[Bar], str | None]:
    return parse_yahoo_chart(loads(body))


def _stooq_request(identifier: str, days: int, now: datetime) -> tuple[str, dict[str, str]]:
    first = now - timedelta(days=days)
    return "/q/d/l/", {
        "s": identifier,
        "i": "d",
        "d1": first.strftime("%Y%m%d"),
        "d2": now.strftime("%Y%m%d"),
    }


def _stooq_parse(body: bytes) -> tuple[list[Bar], str | None]:
    text = body.decode("utf-8", errors="replace")
    if text.strip().lower() in ("", "no data", "brak danych"):  # Stooq's "unknown symbol"
        raise LookupError("no data for this symbol")
    return parse_ohlcv_csv(text), None


HTTP_APIS: dict[str, HttpApi] = {
    "coingecko": HttpApi("coingecko", _coingecko_request, _coingecko_parse),
    "yahoo": HttpApi("yahoo", _yahoo_request, _yahoo_parse),
    "stooq": HttpApi("stooq", _stooq_request, _stooq_parse),
}


class HttpProvider(PriceProvider):
    """One HTTP price API (a row of ``HTTP_APIS``) at ``base_url``."""

    persist = True

    def __init__(
        self,
        api: HttpApi,
        base_url: str,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.api = api
        self.name = api.name
        self.base_url = base_url.rstrip("/")
        self._interval_s = settings.price_request_interval_s
        self._max_bytes = min(settings.max_body_bytes, MAX_BODY_BYTES)
        self._clock = clock
        self._lock = threading.Lock()
        self._next_request_at = 0.0
        self._cooldown_until = 0.0
        self._client = httpx.Client(
            timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "application/json, text/csv;q=0.9, */*;q=0.5",
            },
            follow_redirects=True,
            max_redirects=settings.max_redirects,
        )

    def history(self, asset: AssetSpec, days: int) -> PriceSeries:
        identifier = asset.provider_id(self.name)
        if not identifier:
            raise PriceNotListed(
                self.name,
                f"{asset.symbol} has no {self.name} identifier; add one in the provider_ids "
                "column and run `wirebrief assets import`",
            )
        path, params = self.api.request(identifier, days, datetime.now(UTC))
        body = self._get(self.base_url + path, params)
        try:
            bars, currency = self.api.parse(body)
        except LookupError as exc:
            raise PriceNotListed(self.name, f"{identifier}: {exc}") from exc
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            raise PriceDataError(
                self.name, f"the answer for {identifier} is not a price series ({exc})"
            ) from exc
        series = PriceSeries(asset.symbol, tuple(bars), currency or asset.currency, self.name)
        return series.last_days(days)

    def close(self) -> None:
        self._client.close()

    def _get(self, url: str, params: dict[str, str]) -> bytes:
        self._take_turn()
        try:
            with self._client.stream("GET", url, params=params) as response:
                self._check_status(response)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self._max_bytes:
                        raise PriceDataError(
                            self.name, f"{url} sent more than {self._max_bytes} bytes"
                        )
                return bytes(body)
        except httpx.TimeoutException as exc:
            raise PriceUnavailable(self.name, f"{url} timed out; try again later") from exc
        except httpx.HTTPError as exc:
            raise PriceUnavailable(self.name, f"cannot reach {url} ({exc})") from exc

    def _check_status(self, response: httpx.Response) -> None:
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if status == 429 or (status == 503 and retry_after is not None):
            wait = retry_after or DEFAULT_COOLDOWN_S
            with self._lock:
                self._cooldown_until = self._clock() + wait
            raise PriceRateLimited(self.name, wait)
        if status == 404:
            raise PriceNotListed(self.name, f"{response.url} answered 404 (unknown asset)")
        if status >= 400:
            raise PriceUnavailable(
                self.name, f"{response.url} answered HTTP {status}; try again later"
            )

    def _take_turn(self) -> None:
        """Space requests by the configured interval; refuse while cooling down."""
        with self._lock:
            now = self._clock()
            if now < self._cooldown_until:
                raise PriceRateLimited(self.name, self._cooldown_until - now)
            wait = self._next_request_at - now
            if wait > MAX_QUEUE_WAIT_S:
                raise PriceRateLimited(self.name, wait)
            self._next_request_at = max(now, self._next_request_at) + self._interval_s
        if wait > 0:
            time.sleep(wait)
