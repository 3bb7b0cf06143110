"""Sightings of an article and its LSH band buckets: the storage side of repost detection."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import lru_cache
from typing import cast

from sqlalchemy import Table, TextClause, delete, func, or_, select, text
from sqlalchemy.orm import Session

from wirebrief.storage import locks
from wirebrief.storage.models import Article, ArticleSighting, LshBand

# How many of a bucket's newest holders the candidate query reads (see ``candidates``).
HOLDERS_PER_BUCKET = 50
# The namespace of the advisory locks on band buckets (``lock_buckets``): "LSHB".
_BUCKET_LOCKS = 0x4C534842


def lock_buckets(session: Session, buckets: list[int]) -> None:
    """Hold a lock on each of these band buckets until the transaction ends (PostgreSQL).

    Two workers storing copies of one article at the same moment would each miss the other
    (neither has committed); with the buckets locked, the second waits for the first and
    then finds it. Pages sharing no bucket never wait for each other.
    """
    locks.hold(session, _BUCKET_LOCKS, buckets)


def find_sighting(session: Session, url: str) -> ArticleSighting | None:
    """Where ``url`` was already seen, if anywhere."""
    return session.scalars(select(ArticleSighting).where(ArticleSighting.url == url)).first()


def add_sighting(
    session: Session,
    article_id: int,
    url: str,
    *,
    source_id: int | None,
    site_name: str | None,
    published_at: datetime | None,
) -> ArticleSighting:
    """Record that ``article_id`` was seen at ``url`` (idempotent per URL)."""
    sighting = find_sighting(session, url)
    if sighting is None:
        sighting = ArticleSighting(
            article_id=article_id, url=url, source_id=source_id, site_name=site_name,
            published_at=published_at,
        )  # fmt: skip
        session.add(sighting)
        session.flush()
    return sighting


def sightings_of(session: Session, article_id: int) -> list[ArticleSighting]:
    """Every place the article was seen, earliest publication first."""
    query = (
        select(ArticleSighting)
        .where(ArticleSighting.article_id == article_id)
        .order_by(ArticleSighting.published_at.is_(None), ArticleSighting.published_at)
    )
    return list(session.scalars(query))


def find_exact_copy(
    session: Session, *, url: str, canonical_url: str | None, content_hash: str
) -> Article | None:
    """A stored article with the same canonical URL or the same normalised text."""
    same = [Article.content_hash == content_hash]
    if canonical_url and canonical_url != url:
        same.append(Article.canonical_url == canonical_url)
    query = select(Article).where(or_(*same), Article.url != url).order_by(Article.id).limit(1)
    return session.scalars(query).first()


def save_buckets(session: Session, article_id: int, buckets: list[int]) -> None:
    """Replace the article's band buckets (one multi-row insert, not an ORM object each)."""
    session.execute(delete(LshBand).where(LshBand.article_id == article_id))
    if buckets:
        rows = [
            {"article_id": article_id, "band": band, "bucket": bucket}
            for band, bucket in enumerate(buckets)
        ]
        bands = cast(Table, LshBand.__table__)
        session.execute(bands.insert(), rows)  # Core: no ORM work per row


def candidates(
    session: Session, buckets: list[int], *, exclude_id: int, min_shared: int, limit: int = 20
) -> list[tuple[int, int]]:
    """Articles sharing at least ``min_shared`` buckets, most shared first, each with its
    family: the article it is a copy of, or itself.

    Each bucket is read for its ``HOLDERS_PER_BUCKET`` newest holders only, so a bucket
    that boilerplate puts in thousands of articles costs the same as any other: the time
    per new page does not grow with the corpus. A family large enough to fill a bucket
    still has its newest members found, and one member is enough to find the family.
    """
    if not buckets:
        return []
    params: dict[str, int] = {f"bucket_{i}": bucket for i, bucket in enumerate(buckets)}
    params["exclude_id"] = exclude_id
    shared = Counter(session.scalars(_newest_holders(len(buckets)), params))
    ids = sorted((a for a, n in shared.items() if n >= min_shared), key=lambda a: (-shared[a], a))
    if not ids:
        return []
    ids = ids[:limit]
    family = func.coalesce(Article.duplicate_of, Article.id)
    families = dict(session.execute(select(Article.id, family).where(Article.id.in_(ids))).all())
    return [(article_id, families[article_id]) for article_id in ids if article_id in families]


@lru_cache(maxsize=16)  # 64 band buckets and up to 12 lead buckets
def _newest_holders(count: int) -> TextClause:
    """One statement reading each of ``count`` buckets' newest holders (an index range each
    on ``ix_lsh_bands_bucket_article``). Plain SQL that both engines accept: built once per
    bucket count, so no statement is assembled and no cache key computed per page."""
    table = LshBand.__tablename__
    parts = [
        f"SELECT h{i}.article_id FROM (SELECT article_id FROM {table} "
        f"WHERE bucket = :bucket_{i} AND article_id != :exclude_id "
        f"ORDER BY article_id DESC LIMIT {HOLDERS_PER_BUCKET}) AS h{i}"
        for i in range(count)
    ]
    return text(" UNION ALL ".join(parts))
