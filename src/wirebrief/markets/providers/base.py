"""The provider interface."""

from __future__ import annotations

from abc import ABC, abstractmethod

from wirebrief.markets.types import AssetSpec, PriceSeries


class PriceProvider(ABC):
    """A source of price history for some assets."""

    name: str
    #: Store what it returns in the database (an HTTP answer can vanish; a file stays).
    persist: bool = False

    @abstractmethod
    def history(self, asset: AssetSpec, days: int) -> PriceSeries:
        """Bars of the last ``days`` days, oldest first.

        Raises a :class:`~wirebrief.errors.PriceError`: ``PriceNotListed`` when the
        provider does not know the asset, ``PriceUnavailable``, ``PriceRateLimited`` or
        ``PriceDataError`` when it cannot answer now.
        """

    def close(self) -> None:
        """Release connections (nothing to do by default)."""
        return None
