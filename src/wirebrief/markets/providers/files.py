"""The offline provider: price files in a directory (``WIREBRIEF_PRICES_DIR``).

A file is found by the asset's symbol or any of its provider identifiers, with ``.csv``
or ``.json``, in any case: ``TSLA.csv``, ``BTC-USD.csv`` (Yahoo's name), ``GC=F.csv``,
``bitcoin.json`` (CoinGecko's). Layouts: see :mod:`wirebrief.markets.providers.formats`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from wirebrief.errors import PriceDataError, PriceNotListed, PriceUnavailable
from wirebrief.markets.providers.base import PriceProvider
from wirebrief.markets.providers.formats import loads, parse_json_bars, parse_ohlcv_csv
from wirebrief.markets.types import AssetSpec, Bar, PriceSeries

SUFFIXES = (".csv", ".json")


class FileProvider(PriceProvider):
    """Reads price files; ``sample=True`` labels them as generated sample data."""

    def __init__(self, directory: Path, *, sample: bool = False, name: str = "files") -> None:
        self.directory = Path(directory)
        self.sample = sample
        self.name = name

    def history(self, asset: AssetSpec, days: int) -> PriceSeries:
        path = self.find(asset)
        if path is None:
            names = ", ".join(sorted(_names(asset)))
            raise PriceNotListed(
                self.name, f"no price file for {asset.symbol} in {self.directory} "
                f"(looked for {names} with .csv or .json)"
            )  # fmt: skip
        try:
            stat = path.stat()
            bars, currency = _read(path, stat.st_mtime_ns, stat.st_size)
        except OSError as exc:
            raise PriceUnavailable(self.name, f"cannot read {path}: {exc}") from exc
        except ValueError as exc:
            raise PriceDataError(self.name, f"{path}: {exc}") from exc
        series = PriceSeries(
            asset.symbol, bars, currency or asset.currency, self.name, sample=self.sample
        )
        return series.last_days(days)

    def find(self, asset: AssetSpec) -> Path | None:
        """The file for ``asset``, or ``None``."""
        if not self.directory.is_dir():
            raise PriceUnavailable(
                self.name, f"{self.directory} is not a directory; check WIREBRIEF_PRICES_DIR"
            )
        wanted = {name.lower() + suffix for name in _names(asset) for suffix in SUFFIXES}
        matches = sorted(p for p in self.directory.iterdir() if p.name.lower() in wanted)
        return matches[0] if matches else None


def _names(asset: AssetSpec) -> set[str]:
    names = {asset.symbol, *asset.provider_ids.values()}
    names.update(filter(None, (asset.provider_id(p) for p in ("yahoo", "stooq"))))
    return names


@lru_cache(maxsize=64)
def _read(path: Path, mtime_ns: int, size: int) -> tuple[tuple[Bar, ...], str | None]:
    """Parse one file; cached until it changes (its time or size)."""
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        bars, currency = parse_json_bars(loads(text))
    else:
        bars, currency = parse_ohlcv_csv(text), None
    return tuple(bars), currency
