"""Assets, the articles linked to them, and their stored prices.

Rows only: which assets exist beyond the stored ones (the built-in registry) is
``markets/catalog.py``'s business.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wirebrief.markets.types import AssetLink, AssetSpec, Bar, LinkRole, PriceSeries
from wirebrief.storage import families
from wirebrief.storage.models import Article, ArticleAsset, Asset, Price

# ── the registry in the database ──


def spec_of(asset: Asset) -> AssetSpec:
    """The registry's view of a stored asset."""
    return AssetSpec.from_stored(
        asset.symbol, asset.name, asset.kind, asset.exchange, asset.currency, asset.aliases,
        asset.provider_ids,
    )  # fmt: skip


def stored_specs(session: Session) -> list[AssetSpec]:
    """Every asset in the database (built-in ones used so far, and imported ones)."""
    return [spec_of(asset) for asset in session.scalars(select(Asset).order_by(Asset.id))]


def find_asset(session: Session, symbol: str) -> Asset | None:
    """The stored asset with this symbol, in any case."""
    query = select(Asset).where(func.upper(Asset.symbol) == symbol.upper())
    return session.scalars(query).first()


def ensure_asset(session: Session, spec: AssetSpec) -> Asset:
    """The stored asset for ``spec``, inserted when missing (never changed when present)."""
    asset = find_asset(session, spec.symbol)
    if asset is not None:
        return asset
    asset = Asset(symbol=spec.symbol)
    _fill(asset, spec)
    try:
        with session.begin_nested():  # another writer may insert it at the same moment
            session.add(asset)
    except IntegrityError:
        asset = find_asset(session, spec.symbol)
        if asset is None:
            raise
    return asset


def import_assets(session: Session, specs: Iterable[AssetSpec]) -> tuple[int, int]:
    """Add new assets and replace the names and identifiers of known ones: (added, updated)."""
    added = updated = 0
    for spec in specs:
        asset = find_asset(session, spec.symbol)
        if asset is None:
            asset = Asset(symbol=spec.symbol)
            session.add(asset)
            added += 1
        else:
            updated += 1
        _fill(asset, spec)
    session.flush()
    return added, updated


IS_ABOUT = ArticleAsset.role == LinkRole.ABOUT.value  # a mention puts no article on a list


def article_counts(session: Session) -> dict[str, int]:
    """Visible articles about each asset, by symbol, each copy family once."""
    rows = session.execute(
        select(Asset.symbol, func.count(func.distinct(families.family_of())))
        .join(ArticleAsset, ArticleAsset.asset_id == Asset.id)
        .join(Article, Article.id == ArticleAsset.article_id)
        .where(Article.hidden.is_(False), IS_ABOUT)
        .group_by(Asset.symbol)
    )
    return {symbol: count for symbol, count in rows}


def symbols_with_articles(session: Session) -> list[str]:
    """The assets some visible article is about, by symbol, alphabetical: one index lookup
    per asset, never a count over every link (what the home page's filter offers)."""
    linked = (
        select(ArticleAsset.article_id)
        .join(Article, Article.id == ArticleAsset.article_id)
        .where(ArticleAsset.asset_id == Asset.id, IS_ABOUT, Article.hidden.is_(False))
    )
    return list(session.scalars(select(Asset.symbol).where(linked.exists()).order_by(Asset.symbol)))


def _fill(asset: Asset, spec: AssetSpec) -> None:
    asset.name = spec.name
    asset.kind = spec.kind
    asset.exchange = spec.exchange
    asset.currency = spec.currency
    asset.aliases = spec.stored_aliases()
    asset.provider_ids = dict(spec.provider_ids) or None


# ── links between articles and assets ──


def replace_article_assets(
    session: Session, article_id: int, links: Sequence[tuple[Asset, AssetLink]]
) -> None:
    """Store the linker's result for one article, replacing what was stored before."""
    session.execute(delete(ArticleAsset).where(ArticleAsset.article_id == article_id))
    for asset, link in links:
        session.add(
            ArticleAsset(
                article_id=article_id,
                asset_id=asset.id,
                role=link.role.value,
                score=link.score,
                evidence=[item.as_dict() for item in link.evidence],
            )
        )
    session.flush()


def texts_to_link(session: Session, *, after_id: int, limit: int) -> list[tuple[int, str, str]]:
    """``(id, title, text)`` of up to ``limit`` stored articles after ``after_id``, by id."""
    query = (
        select(Article.id, Article.title, Article.text)
        .where(Article.id > after_id)
        .order_by(Article.id)
        .limit(limit)
    )
    return [(row.id, row.title or "", row.text or "") for row in session.execute(query)]


def count_articles(session: Session) -> int:
    """How many articles are stored (hidden ones included)."""
    return session.scalar(select(func.count(Article.id))) or 0


def linked_assets(session: Session, article_id: int) -> list[ArticleAsset]:
    """The assets an article names, those it is about first, each best first (with
    ``.asset`` loaded)."""
    query = (
        select(ArticleAsset)
        .where(ArticleAsset.article_id == article_id)
        .order_by(~IS_ABOUT, ArticleAsset.score.desc(), ArticleAsset.id)  # about first
    )
    return list(session.scalars(query).unique())


def about(asset_id: int) -> ColumnElement[bool]:
    """A condition on ``Article``: it is about this asset (read from the asset's links, by
    their index, not by a scan of the articles); a mention is not enough."""
    links = select(ArticleAsset.article_id).where(ArticleAsset.asset_id == asset_id, IS_ABOUT)
    return Article.id.in_(links)


def articles_about(
    session: Session, asset_id: int, *, limit: int = 20, offset: int = 0
) -> list[tuple[Article, ArticleAsset]]:
    """Visible articles about an asset, one per copy family (its origin), newest first,
    each with its link: the origin's own, else the strongest of its family's."""
    shown = list(session.scalars(families.listed(about(asset_id)).limit(limit).offset(offset)))
    links: dict[int, ArticleAsset] = {}
    query = (
        select(families.family_of(), Article.id, ArticleAsset)
        .join(ArticleAsset, ArticleAsset.article_id == Article.id)
        .where(ArticleAsset.asset_id == asset_id, IS_ABOUT, Article.hidden.is_(False))
        .where(families.family_of().in_([a.id for a in shown]))
        .order_by(ArticleAsset.score.desc(), ArticleAsset.id)
    )
    for family, article_id, link in session.execute(query).unique():
        if family not in links or article_id == family:
            links[family] = link
    return [(article, links[article.id]) for article in shown if article.id in links]


def count_articles_about(session: Session, asset_id: int) -> int:
    """How many entries :func:`articles_about` has."""
    return families.count_listed(session, about(asset_id))


# ── prices ──


def store_bars(session: Session, asset_id: int, series: PriceSeries) -> int:
    """Insert or update a series' bars (one row per asset, provider and time): how many."""
    if not series.bars:
        return 0
    existing = {
        row.at: row
        for row in session.scalars(
            select(Price).where(
                Price.asset_id == asset_id,
                Price.provider == series.provider,
                Price.at >= series.bars[0].at,
                Price.at <= series.bars[-1].at,
            )
        )
    }
    for bar in series.bars:
        row = existing.get(bar.at)
        if row is None:
            row = Price(asset_id=asset_id, provider=series.provider, at=bar.at)
            session.add(row)
        row.open, row.high, row.low = bar.open, bar.high, bar.low
        row.close, row.volume, row.currency = bar.close, bar.volume, series.currency
    session.flush()
    return len(series.bars)


def stored_series(
    session: Session, symbol: str, since: datetime | None = None
) -> PriceSeries | None:
    """The stored bars of the provider with the newest data for ``symbol``, or ``None``."""
    asset = find_asset(session, symbol)
    if asset is None:
        return None
    newest = session.execute(
        select(Price.provider, Price.currency)
        .where(Price.asset_id == asset.id)
        .order_by(Price.at.desc())
        .limit(1)
    ).first()
    if newest is None:
        return None
    query = select(Price).where(Price.asset_id == asset.id, Price.provider == newest.provider)
    if since is not None:
        query = query.where(Price.at >= since)
    rows = session.scalars(query.order_by(Price.at))
    bars = tuple(Bar(row.at, row.close, row.open, row.high, row.low, row.volume) for row in rows)
    return PriceSeries(asset.symbol, bars, newest.currency or asset.currency or "USD",
                       newest.provider)  # fmt: skip
