"""The market value types: assets, their links to articles, price bars and series.

A leaf module (dataclasses only, no imports of ours), so storage and every stage may use
them; the registry, linker and price code live beside it in ``markets/``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, get_args

AssetKind = Literal["stock", "crypto", "commodity", "index"]
KINDS: tuple[str, ...] = get_args(AssetKind)
US_EXCHANGES = ("NASDAQ", "NYSE", "NYSE American", "NYSE Arca")
# In the database an asset's aliases are one list: "~name" marks a name that needs market
# context, "~SYMBOL" (the asset's own symbol) a ticker that does.
CONTEXT_MARK = "~"


@dataclass(frozen=True)
class AssetSpec:
    """One asset as the registry describes it (independent of the database)."""

    symbol: str
    name: str
    kind: str
    exchange: str | None = None
    currency: str = "USD"
    aliases: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    ticker_needs_context: bool = False
    provider_ids: Mapping[str, str] = field(default_factory=dict, hash=False)

    def provider_id(self, provider: str) -> str | None:
        """This asset's identifier at ``provider`` (explicit, or derived for US stocks)."""
        explicit = self.provider_ids.get(provider)
        if explicit or self.kind != "stock" or self.exchange not in US_EXCHANGES:
            return explicit
        if provider == "yahoo":
            return self.symbol.replace(".", "-")
        if provider == "stooq":
            return f"{self.symbol.replace('.', '-').lower()}.us"
        return None

    def listing(self, articles: int) -> dict[str, Any]:
        """The asset as asset lists show it (``assets list --json``, ``GET /api/assets``)."""
        return {
            "symbol": self.symbol,
            "name": self.name,
            "kind": self.kind,
            "exchange": self.exchange,
            "currency": self.currency,
            "aliases": list(self.aliases),
            "ambiguous": list(self.ambiguous),
            "articles": articles,
        }

    def stored_aliases(self) -> list[str]:
        """The aliases as one list for the database (see ``CONTEXT_MARK``)."""
        marked = [CONTEXT_MARK + name for name in self.ambiguous]
        if self.ticker_needs_context:
            marked.append(CONTEXT_MARK + self.symbol)
        return [*self.aliases, *marked]

    @classmethod
    def from_stored(
        cls,
        symbol: str,
        name: str,
        kind: str,
        exchange: str | None,
        currency: str | None,
        aliases: Iterable[str] | None,
        provider_ids: Mapping[str, str] | None,
    ) -> AssetSpec:
        """The inverse of :meth:`stored_aliases`, for a row of the assets table."""
        plain: list[str] = []
        marked: list[str] = []
        for alias in aliases or ():
            (marked if alias.startswith(CONTEXT_MARK) else plain).append(alias)
        unmarked = [alias[len(CONTEXT_MARK) :] for alias in marked]
        return cls(
            symbol=symbol,
            name=name,
            kind=kind,
            exchange=exchange,
            currency=currency or "USD",
            aliases=tuple(plain),
            ambiguous=tuple(alias for alias in unmarked if alias != symbol),
            ticker_needs_context=symbol in unmarked,
            provider_ids=dict(provider_ids or {}),
        )


class LinkRole(StrEnum):
    """How an article relates to an asset it names."""

    ABOUT = "about"
    MENTION = "mention"


@dataclass(frozen=True)
class Evidence:
    """Where and how an asset was named: ``text[start:end]`` of the title or the text."""

    text: str
    start: int
    end: int
    field: str  # "title" or "text"
    kind: str  # a key of WEIGHTS

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape (CLI, API, stored evidence)."""
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "field": self.field,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class AssetLink:
    """An asset an article names: score in (0, 1), higher is more central; the article is
    *about* it (``role``) or names it in passing, and every mention scores below every
    asset the article is about."""

    symbol: str
    name: str
    kind: str
    score: float
    evidence: tuple[Evidence, ...]
    role: LinkRole = LinkRole.ABOUT

    @property
    def is_about(self) -> bool:
        return self.role is LinkRole.ABOUT

    def as_dict(self) -> dict[str, Any]:
        """The contract of ``wirebrief assets link``: symbol, name, kind, score, evidence."""
        return {
            "symbol": self.symbol,
            "name": self.name,
            "kind": self.kind,
            "score": self.score,
            "evidence": [item.as_dict() for item in self.evidence],
        }


@dataclass(frozen=True)
class Bar:
    """One bar of price history; ``at`` is its start, in UTC."""

    at: datetime
    close: float
    open: float | None = None
    high: float | None = None
    low: float | None = None
    volume: float | None = None


@dataclass(frozen=True)
class PriceSeries:
    """An asset's bars from one provider, oldest first."""

    symbol: str
    bars: tuple[Bar, ...]
    currency: str
    provider: str
    sample: bool = False  # generated sample data (the demo), never real prices
    stale: bool = False  # the provider failed; these are the last stored bars
    note: str | None = None  # why the series is stale

    def last_days(self, days: int) -> PriceSeries:
        """The bars of the last ``days`` days before the newest bar."""
        if not self.bars:
            return self
        since = self.bars[-1].at - timedelta(days=days)
        return replace(self, bars=tuple(bar for bar in self.bars if bar.at >= since))
