"""Related-article records: term postings per article, and each article's related list.

Written with Core tables, not ORM entities: the store stage runs these for every article,
and they move thousands of small rows. Rows are upserted, in one order: two workers
rewriting the same list at once (an article offered to a neighbour while the neighbour is
stored again) wait for each other instead of failing on the primary key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import cast

from sqlalchemy import BindParameter, Table, TextClause, bindparam, delete, select, text
from sqlalchemy.orm import Session, joinedload

from wirebrief.markets.types import LinkRole
from wirebrief.storage.dialect import insert_or_update
from wirebrief.storage.families import family_of
from wirebrief.storage.models import Article, ArticleAsset, ArticleTerm, RelatedArticle

# Core tables (mapped classes type ``__table__`` as a plain FromClause).
_terms = cast(Table, ArticleTerm.__table__)
_related = cast(Table, RelatedArticle.__table__)
_links = cast(Table, ArticleAsset.__table__)
_ABOUT = _links.c.role == LinkRole.ABOUT.value
_articles = cast(Table, Article.__table__)
# Statements built once: the store stage runs each of them for every article, and building
# one costs about as much as running it.
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_DELETE_TERMS = delete(_terms).where(_terms.c.article_id == bindparam("article_id"))
_DELETE_LISTS = delete(_related).where(_related.c.article_id.in_(_IDS))
_ASSETS_OF = select(_links.c.article_id, _links.c.asset_id).where(
    _links.c.article_id.in_(_IDS), _ABOUT
)
_CANDIDATES = select(
    _articles.c.id, _articles.c.story_id, family_of().label("family"), _articles.c.published_at,
    _articles.c.fetched_at, _articles.c.hidden,
).where(_articles.c.id.in_(_IDS))  # fmt: skip
_STORY_KEYS = select(_articles.c.id, _articles.c.story_id, family_of()).where(
    _articles.c.id.in_(_IDS)
)
_LISTS = select(_related.c.article_id, _related.c.related_id, _related.c.score).where(
    _related.c.article_id.in_(_IDS)
)


@dataclass(frozen=True)
class Candidate:
    """What scoring needs to know about an article, read in bulk."""

    id: int
    story: int  # the story key: story id, else minus the id of its copy family's origin
    at: datetime
    hidden: bool


def story_key(story_id: int | None, family: int) -> int:
    """The same key as ``search.backend.story_key``, in Python."""
    return story_id if story_id is not None else -family


def save_terms(session: Session, article_id: int, vector: dict[int, float]) -> None:
    """Replace the article's postings."""
    session.execute(_DELETE_TERMS, {"article_id": article_id})
    if vector:
        upsert = insert_or_update(_dialect(session), _terms, ["article_id", "term"], ["weight"])
        session.execute(
            upsert,
            [{"article_id": article_id, "term": t, "weight": w} for t, w in sorted(vector.items())],
        )


def pool(
    session: Session,
    vector: dict[int, float],
    assets: Iterable[int],
    *,
    exclude_id: int,
    per_term: int,
    per_asset: int,
    asset_weight: float,
    limit: int,
) -> list[int]:
    """The ``limit`` articles sharing the most weight with ``vector`` (each term's weight,
    ``asset_weight`` per asset) among the newest ``per_term`` articles carrying each term and
    the ``per_asset`` most recently linked as about each asset: one bounded index range scan per
    term and asset, summed in the database, so only the pool comes back.

    Ties go to the article met first, terms in ``vector``'s order, newest first.
    """
    assets = sorted(assets)
    if not vector and not assets:
        return []
    params: dict[str, object] = {"exclude": exclude_id, "per_term": per_term,
                                 "per_asset": per_asset, "limit": limit,
                                 "about": LinkRole.ABOUT.value}  # fmt: skip
    for n, (term, weight) in enumerate(vector.items()):
        params.update({f"t{n}": term, f"w{n}": weight})
    for n, asset_id in enumerate(assets, start=len(vector)):
        params.update({f"a{n}": asset_id, "asset_weight": asset_weight})
    return list(session.execute(_pool_statement(len(vector), len(assets)), params).scalars())


@lru_cache(maxsize=256)
def _pool_statement(terms: int, assets: int) -> TextClause:
    parts = [
        f"SELECT article_id, :w{n} AS w, {n} AS k FROM (SELECT article_id FROM article_terms "
        f"WHERE term = :t{n} AND article_id != :exclude ORDER BY article_id DESC "
        f"LIMIT :per_term) AS p{n}"
        for n in range(terms)
    ] + [
        f"SELECT article_id, :asset_weight AS w, {n} AS k FROM (SELECT article_id "
        f"FROM article_assets WHERE asset_id = :a{n} AND role = :about "
        f"AND article_id != :exclude "
        f"ORDER BY id DESC LIMIT :per_asset) AS p{n}"
        for n in range(terms, terms + assets)
    ]
    return text(
        f"SELECT article_id FROM ({' UNION ALL '.join(parts)}) AS shared GROUP BY article_id "
        "ORDER BY sum(w) DESC, min(k), article_id DESC LIMIT :limit"
    )


def dot_products(
    session: Session, vector: dict[int, float], article_ids: Iterable[int]
) -> dict[int, float]:
    """``vector``'s dot product with the stored term vector of each of these articles (those
    that share no term are left out), computed in the database."""
    ids = sorted(article_ids)
    if not vector or not ids:
        return {}
    params: dict[str, object] = {"ids": ids}
    for n, (term, weight) in enumerate(vector.items()):
        params.update({f"t{n}": term, f"w{n}": weight})
    return {
        article_id: dot for article_id, dot in session.execute(_dot_statement(len(vector)), params)
    }


@lru_cache(maxsize=64)
def _dot_statement(terms: int) -> TextClause:
    rows = ", ".join(f"(:t{n}, :w{n})" for n in range(terms))
    return text(
        f"WITH mine (term, w) AS (VALUES {rows}) "
        "SELECT t.article_id, sum(t.weight * mine.w) FROM article_terms AS t "
        "JOIN mine ON mine.term = t.term WHERE t.article_id IN :ids GROUP BY t.article_id"
    ).bindparams(bindparam("ids", expanding=True))


def assets_of(session: Session, article_ids: Iterable[int]) -> dict[int, set[int]]:
    """The ids of the assets each article is about (a passing mention relates nothing)."""
    out: dict[int, set[int]] = defaultdict(set)
    for article_id, asset_id in session.execute(_ASSETS_OF, {"ids": list(article_ids)}):
        out[article_id].add(asset_id)
    return out


def candidates(session: Session, article_ids: Iterable[int]) -> dict[int, Candidate]:
    """Story key, time and visibility of these articles."""
    return {
        row.id: Candidate(
            row.id,
            story_key(row.story_id, row.family),
            row.published_at or row.fetched_at,
            row.hidden,
        )
        for row in session.execute(_CANDIDATES, {"ids": list(article_ids)})
    }


def story_keys(session: Session, article_ids: Iterable[int]) -> dict[int, int]:
    """The story key of each of these articles (:func:`candidates` without the rest)."""
    return {
        article_id: story_key(story_id, family)
        for article_id, story_id, family in session.execute(_STORY_KEYS, {"ids": list(article_ids)})
    }


def related_scores(session: Session, article_ids: Iterable[int]) -> dict[int, dict[int, float]]:
    """The stored related lists (``related id → score``) of these articles."""
    out: dict[int, dict[int, float]] = defaultdict(dict)
    for article_id, related_id, score in session.execute(_LISTS, {"ids": list(article_ids)}):
        out[article_id][related_id] = score
    return out


def save_related(session: Session, lists: dict[int, dict[int, float]]) -> None:
    """Replace the related lists of these articles (``article id → related id → score``),
    in one delete and one insert."""
    if not lists:
        return
    session.execute(_DELETE_LISTS, {"ids": sorted(lists)})
    rows = [
        {"article_id": article_id, "related_id": related_id, "score": score}
        for article_id, scores in sorted(lists.items())
        for related_id, score in sorted(scores.items())
    ]
    if rows:
        keys = ["article_id", "related_id"]
        session.execute(insert_or_update(_dialect(session), _related, keys, ["score"]), rows)


def without_terms(session: Session) -> list[int]:
    """Articles that have no term postings: their related stories were never computed
    (or their text has no term worth keeping)."""
    a = _articles.c
    query = (
        select(a.id)
        .where(~select(_terms.c.article_id).where(_terms.c.article_id == a.id).exists())
        .order_by(a.id)
    )
    return list(session.scalars(query))


def related_articles(session: Session, article_id: int) -> list[tuple[Article, float]]:
    """Visible articles stored as related to ``article_id``, best first."""
    query = (
        select(Article, RelatedArticle.score)
        .join(RelatedArticle, RelatedArticle.related_id == Article.id)
        .options(joinedload(Article.source))
        .where(RelatedArticle.article_id == article_id, Article.hidden.is_(False))
        .order_by(RelatedArticle.score.desc(), Article.id.desc())
    )
    return [(article, score) for article, score in session.execute(query).all()]


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
