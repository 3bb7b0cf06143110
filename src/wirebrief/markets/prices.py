"""The price book: providers asked in order, answers cached, the database as the fallback.

A series from an HTTP provider is stored in the ``prices`` table; when every provider
fails, the last stored bars are served, marked stale with the reason. Answers (and
failures, for a shorter time) are cached in memory, so a page view does not become a
request to a provider.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from wirebrief.errors import NoPrices, PriceError, PriceNotListed
from wirebrief.markets.providers.base import PriceProvider
from wirebrief.markets.types import AssetSpec, PriceSeries

if TYPE_CHECKING:
    from wirebrief.storage.db import Database

log = logging.getLogger(__name__)

HISTORY_DAYS = 365  # what is fetched and cached; pages show a part of it
FAILURE_TTL_S = 60.0


class PriceBook:
    """Price series by asset, from ``providers`` in order; thread-safe."""

    def __init__(
        self,
        providers: Sequence[PriceProvider],
        db: Database | None = None,
        *,
        ttl_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.providers = list(providers)
        self.db = db
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[float, PriceSeries | PriceError]] = {}

    def series(self, asset: AssetSpec, days: int = 30) -> PriceSeries:
        """The last ``days`` days of ``asset``'s prices, or a :class:`PriceError`."""
        key = asset.symbol.upper()
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None and self._clock() < cached[0]:
            found = cached[1]
        else:
            found = self._load(asset)
            ttl = self.ttl_s if isinstance(found, PriceSeries) else min(self.ttl_s, FAILURE_TTL_S)
            with self._lock:
                self._cache[key] = (self._clock() + ttl, found)
        if isinstance(found, PriceError):
            raise found
        return found.last_days(days)

    def close(self) -> None:
        """Close the providers' connections."""
        for provider in self.providers:
            provider.close()

    def _load(self, asset: AssetSpec) -> PriceSeries | PriceError:
        problems: list[PriceError] = []
        for provider in self.providers:
            try:
                series = provider.history(asset, HISTORY_DAYS)
            except PriceError as exc:
                problems.append(exc)
                continue
            if provider.persist and self.db is not None:
                self._store(asset, series)
            return series
        real = [p for p in problems if not isinstance(p, PriceNotListed)]
        for problem in real:
            log.warning("prices for %s failed: %s", asset.symbol, problem)
        stored = self._stored(asset) if real else None
        if stored is not None:
            return replace(stored, stale=True, note=f"showing stored prices: {real[0]}")
        return NoPrices(asset.symbol, problems)

    def _store(self, asset: AssetSpec, series: PriceSeries) -> None:
        from wirebrief.storage import assets as asset_store

        assert self.db is not None
        try:
            with self.db.session() as session:
                stored = asset_store.ensure_asset(session, asset)
                asset_store.store_bars(session, stored.id, series)
        except SQLAlchemyError as exc:  # a failed write must not hide prices we have
            log.warning("could not store prices for %s: %s", asset.symbol, exc)

    def _stored(self, asset: AssetSpec) -> PriceSeries | None:
        from wirebrief.storage import assets as asset_store

        if self.db is None:
            return None
        with self.db.session() as session:
            return asset_store.stored_series(session, asset.symbol)
