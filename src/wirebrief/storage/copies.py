"""Sightings of an article and its LSH band buckets: the storage side of repost detection."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from wirebrief.storage.models import Article, ArticleSighting, LshBand


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
        session.execute(insert(LshBand), rows)


def candidates(
    session: Session, buckets: list[int], *, exclude_id: int, min_shared: int, limit: int = 20
) -> list[tuple[int, int]]:
    """Articles sharing at least ``min_shared`` buckets, most shared first, each with its
    family: the article it is a copy of, or itself."""
    if not buckets:
        return []
    shared = func.count().label("shared")
    query = (
        select(LshBand.article_id, shared)
        # Each bucket embeds its band number, so the bucket index alone finds the matches.
        .where(LshBand.bucket.in_(buckets), LshBand.article_id != exclude_id)
        .group_by(LshBand.article_id)
        .having(shared >= min_shared)
        .order_by(shared.desc(), LshBand.article_id)
        .limit(limit)
    )
    ids = [article_id for article_id, _ in session.execute(query)]
    if not ids:
        return []
    family = func.coalesce(Article.duplicate_of, Article.id)
    families = dict(session.execute(select(Article.id, family).where(Article.id.in_(ids))).all())
    return [(article_id, families[article_id]) for article_id in ids if article_id in families]
