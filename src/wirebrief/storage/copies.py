"""Copy families and LSH band buckets: the storage side of repost detection."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import chain
from typing import cast

from sqlalchemy import Table, TextClause, delete, or_, select, text
from sqlalchemy.orm import Session, load_only

from wirebrief.storage import locks
from wirebrief.storage.families import family_of, in_families
from wirebrief.storage.models import Article, LshBand

# How many of a bucket's newest holders the candidate query reads (see ``candidates``).
HOLDERS_PER_BUCKET = 50
# The namespace of the advisory locks on band buckets (``lock_page``): "LSHB".
_BUCKET_LOCKS = 0x4C534842
# The namespace of the advisory locks on copy families (``lock_families``): "FAML".
_FAMILY_LOCKS = 0x46414D4C
# What choosing a family's origin reads of each member (``family_members``).
_MEMBER_FIELDS = (
    "id", "url", "canonical_url", "site_name", "published_at", "origin_name", "origin_url",
    "origin_chain", "hidden", "duplicate_of", "story_id",
)  # fmt: skip


def lock_page(
    session: Session, buckets: list[int], canonical_url: str | None, content_hash: str
) -> None:
    """Hold a lock on each of these band buckets, and on the page's canonical URL and text
    hash, until the transaction ends (PostgreSQL).

    Two workers storing copies of one article at the same moment would each miss the other
    (neither has committed); with these locked, the second waits for the first and then
    finds it. Pages sharing none of them never wait for each other.
    """
    names = [name for name in (canonical_url, content_hash) if name]
    locks.hold(session, _BUCKET_LOCKS, chain(buckets, map(locks.key_of, names)))


def exact_families(
    session: Session, *, url: str, canonical_url: str | None, content_hash: str, by_hash: bool
) -> set[int]:
    """The families (their origins' ids) holding a page that is this one under another URL:
    the same canonical URL (a page naming this one, or the same one, as canonical), or, when
    ``by_hash``, the same normalised text."""
    same = []
    if canonical_url:
        same.append(Article.canonical_url == canonical_url)
    if by_hash:
        same.append(Article.content_hash == content_hash)
    if not same:
        return set()
    query = select(family_of()).where(or_(*same), Article.url != url).distinct()
    return set(session.scalars(query))


def families_of(session: Session, article_ids: Iterable[int]) -> set[int]:
    """The families of these articles."""
    query = select(family_of()).where(Article.id.in_(list(article_ids))).distinct()
    return set(session.scalars(query))


def lock_families(session: Session, origins: Iterable[int]) -> None:
    """Hold a lock on each of these families until the transaction ends (PostgreSQL), so
    that two workers placing pages in one family take turns."""
    locks.hold(session, _FAMILY_LOCKS, origins)


def family_members(session: Session, origins: Iterable[int]) -> list[Article]:
    """Every member of these families, read afresh, with what choosing an origin reads
    (not the text)."""
    ids = list(origins)
    query = (
        select(Article)
        .options(load_only(*(getattr(Article, name) for name in _MEMBER_FIELDS)))
        .where(in_families(ids))
        .order_by(Article.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def save_buckets(session: Session, article_id: int, buckets: list[int]) -> None:
    """Replace the article's band buckets."""
    session.execute(delete(LshBand).where(LshBand.article_id == article_id))
    add_buckets(session, article_id, buckets)


def add_buckets(session: Session, article_id: int, buckets: list[int]) -> None:
    """A new article's band buckets (one multi-row insert, not an ORM object each)."""
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
    families = dict(
        session.execute(select(Article.id, family_of()).where(Article.id.in_(ids))).all()
    )
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
