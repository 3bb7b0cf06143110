"""The assets a reader can open: those stored in the database over the built-in registry.

A built-in asset is stored on first use (when an article links to it or a page asks for it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy.orm import Session

from wirebrief.errors import NotFoundError
from wirebrief.markets.linker import Linker, builtin_linker
from wirebrief.markets.registry import Registry, builtin_assets, builtin_registry
from wirebrief.markets.types import AssetLink, AssetSpec
from wirebrief.storage import assets as asset_store
from wirebrief.storage.articles import find_article_by_url
from wirebrief.storage.models import Asset


def get_asset(session: Session, symbol: str) -> Asset:
    """A stored asset, or a built-in one (stored on first use), or :class:`NotFoundError`."""
    asset = asset_store.find_asset(session, symbol)
    if asset is not None:
        return asset
    spec = builtin_registry().get(symbol)
    if spec is None:
        raise NotFoundError(f"there is no asset {symbol}; see `wirebrief assets list`")
    return asset_store.ensure_asset(session, spec)


def all_specs(session: Session) -> list[AssetSpec]:
    """The built-in registry with the database's assets over it, by symbol."""
    merged = {spec.symbol.upper(): spec for spec in builtin_registry()}
    merged.update({spec.symbol.upper(): spec for spec in asset_store.stored_specs(session)})
    return sorted(merged.values(), key=lambda spec: (spec.kind, spec.symbol))


def linker_for(stored: Iterable[AssetSpec]) -> Linker:
    """A linker over the built-in assets and ``stored`` (the database's, read by the caller)."""
    stored = list(stored)
    if not stored:
        return builtin_linker()
    return Linker(Registry([*builtin_assets(), *stored]))


def store_links(session: Session, url: str, links: Sequence[AssetLink]) -> None:
    """Store the links of the article stored for ``url`` (none for a collapsed copy)."""
    article = find_article_by_url(session, url)
    if article is not None:
        store_article_links(session, article.id, links)


def store_article_links(session: Session, article_id: int, links: Sequence[AssetLink]) -> None:
    """Replace an article's links, storing a built-in asset on its first link; a link to an
    asset neither stored nor built in (the registry changed since) is dropped."""
    registry = builtin_registry()
    resolved: list[tuple[Asset, AssetLink]] = []
    for link in links:
        asset = asset_store.find_asset(session, link.symbol)
        if asset is None:
            spec = registry.get(link.symbol)
            if spec is None:
                continue
            asset = asset_store.ensure_asset(session, spec)
        resolved.append((asset, link))
    asset_store.replace_article_assets(session, article_id, resolved)
