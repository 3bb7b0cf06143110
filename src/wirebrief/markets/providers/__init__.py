"""Where prices come from: a provider turns an asset into a price series.

- ``files``: CSV or JSON files the user supplies (Yahoo's CSV export, Stooq's CSV, plain
  ``date,open,high,low,close,volume``, JSON bars, saved CoinGecko or Yahoo chart answers).
- ``coingecko``, ``yahoo``, ``stooq``: public HTTP APIs, rate limited, with clear errors.

:func:`build_providers` makes the ones the settings name, in order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wirebrief.errors import ConfigError
from wirebrief.markets.providers.base import PriceProvider
from wirebrief.markets.providers.files import FileProvider
from wirebrief.markets.providers.http import HTTP_APIS, HttpProvider

if TYPE_CHECKING:
    from wirebrief.settings import Settings

__all__ = ["FileProvider", "HttpProvider", "PriceProvider", "build_providers"]


def build_providers(settings: Settings) -> list[PriceProvider]:
    """The providers ``WIREBRIEF_PRICE_PROVIDERS`` names (``files`` when only a directory
    of price files is set), in the order they are asked.
    """
    names = settings.price_providers or (("files",) if settings.prices_dir else ())
    providers: list[PriceProvider] = []
    for name in names:
        if name == "files":
            if settings.prices_dir is None:
                raise ConfigError(
                    "the files price provider needs a directory: set WIREBRIEF_PRICES_DIR"
                )
            providers.append(FileProvider(settings.prices_dir, sample=settings.sample_prices))
        else:
            base_url = getattr(settings, f"{name}_url")
            providers.append(HttpProvider(HTTP_APIS[name], base_url, settings))
    return providers
