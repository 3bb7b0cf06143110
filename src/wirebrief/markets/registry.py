"""The asset registry: stocks, crypto assets, commodities and indices, with their names.

The built-in registry is ``data/assets.csv``, compiled by the project (names and tickers
are facts). ``wirebrief assets import FILE.csv`` adds or replaces assets in the database;
it reads the same columns:

- ``symbol``, ``name``, ``kind`` (stock, crypto, commodity, index): required.
- ``exchange``, ``currency``: optional (currency defaults to USD).
- ``ticker``: ``plain`` when the bare ticker in capitals names the asset by itself (TSLA),
  ``context`` when it is also a word or too short (U, ONE, LINK) and counts only as a
  cashtag ($U), after a name in brackets ("Union (U)") or after an exchange ("NYSE: U").
  Empty: ``context`` for tickers of one or two characters, else ``plain``.
- ``aliases``: names separated by ``|`` that name the asset by themselves (Tesla, bitcoin).
- ``ambiguous``: names separated by ``|`` that are also ordinary words (gold, Union) and
  count only with market context nearby.
- ``provider_ids``: ``provider=id`` pairs separated by ``;``, e.g.
  ``coingecko=bitcoin;yahoo=BTC-USD``.

An alias written in lower case matches in any case ("bitcoin", "Bitcoin"); one written
with capitals matches as written or in all capitals ("Tesla", "TESLA", never "tesla").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from wirebrief.errors import RegistryError
from wirebrief.markets.types import KINDS, AssetSpec

DATA_DIR = Path(__file__).with_name("data")
BUILTIN_CSV = DATA_DIR / "assets.csv"
COLUMNS = (
    "symbol", "name", "kind", "exchange", "currency", "ticker", "aliases", "ambiguous",
    "provider_ids",
)  # fmt: skip
REQUIRED = ("symbol", "name", "kind")


class Registry:
    """Assets by symbol; a later spec with the same symbol replaces an earlier one."""

    def __init__(self, specs: Iterable[AssetSpec]) -> None:
        self._by_symbol: dict[str, AssetSpec] = {}
        for spec in specs:
            self._by_symbol[spec.symbol.upper()] = spec

    def get(self, symbol: str) -> AssetSpec | None:
        """The asset with this symbol (any case), or ``None``."""
        return self._by_symbol.get(symbol.upper())

    def __iter__(self) -> Iterator[AssetSpec]:
        return iter(self._by_symbol.values())

    def __len__(self) -> int:
        return len(self._by_symbol)


def read_assets_csv(text: str, origin: str = "assets file") -> list[AssetSpec]:
    """Parse an asset CSV (columns above); errors name the line and say what to fix."""
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or ()]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise RegistryError(
            f"{origin}: the header has no {', '.join(missing)} column; "
            f"expected columns: {','.join(COLUMNS)}"
        )
    unknown = [column for column in header if column not in COLUMNS]
    if unknown:
        raise RegistryError(
            f"{origin}: unknown column {', '.join(unknown)}; expected: {','.join(COLUMNS)}"
        )
    reader.fieldnames = header
    specs, seen = [], set()
    for row in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in row.items() if key}
        spec = _spec(values, f"{origin}, line {line}")
        if spec.symbol.upper() in seen:
            raise RegistryError(f"{origin}, line {line}: symbol {spec.symbol} appears twice")
        seen.add(spec.symbol.upper())
        specs.append(spec)
    return specs


def read_assets_file(path: Path) -> list[AssetSpec]:
    """:func:`read_assets_csv` for a file (UTF-8, a BOM is fine)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"cannot read {path}: {exc}") from exc
    return read_assets_csv(text, str(path))


@lru_cache(maxsize=1)
def builtin_assets() -> tuple[AssetSpec, ...]:
    """The registry shipped with Wirebrief."""
    return tuple(read_assets_csv(BUILTIN_CSV.read_text(encoding="utf-8"), "built-in assets"))


def builtin_registry() -> Registry:
    """:func:`builtin_assets` as a :class:`Registry`."""
    return Registry(builtin_assets())


@lru_cache(maxsize=1)
def stop_phrases() -> tuple[str, ...]:
    """Phrases in which an asset name is an ordinary word (``data/stop_phrases.txt``)."""
    lines = (DATA_DIR / "stop_phrases.txt").read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _spec(values: dict[str, str], where: str) -> AssetSpec:
    symbol, name, kind = values.get("symbol", ""), values.get("name", ""), values.get("kind", "")
    if not symbol or not name:
        raise RegistryError(f"{where}: symbol and name must not be empty")
    if any(char.isspace() or char in "/?#%" for char in symbol):
        raise RegistryError(f"{where}: symbol {symbol!r} may not contain spaces or / ? # %")
    kind = kind.lower()
    if kind not in KINDS:
        raise RegistryError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    ticker = values.get("ticker", "").lower()
    if ticker not in ("", "plain", "context"):
        raise RegistryError(f"{where}: ticker must be plain, context or empty, not {ticker!r}")
    return AssetSpec(
        symbol=symbol,
        name=name,
        kind=kind,
        exchange=values.get("exchange") or None,
        currency=(values.get("currency") or "USD").upper(),
        aliases=_names(values.get("aliases", "")),
        ambiguous=_names(values.get("ambiguous", "")),
        ticker_needs_context=ticker == "context" or (not ticker and len(symbol) <= 2),
        provider_ids=_provider_ids(values.get("provider_ids", ""), where),
    )


def _names(raw: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name.strip() for name in raw.split("|") if name.strip()))


def _provider_ids(raw: str, where: str) -> dict[str, str]:
    ids = {}
    for pair in filter(None, (part.strip() for part in raw.split(";"))):
        provider, sep, identifier = pair.partition("=")
        if not sep or not provider.strip() or not identifier.strip():
            raise RegistryError(f"{where}: provider_ids entry {pair!r} is not provider=id")
        ids[provider.strip().lower()] = identifier.strip()
    return ids
