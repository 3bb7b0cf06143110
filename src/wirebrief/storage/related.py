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
from typing import cast

from sqlalchemy import Table, bindparam, delete, select, text
from sqlalchemy.orm import Session, joinedload

from wirebrief.markets.types import LinkRole
from wirebrief.storage.dialect import insert_or_update
from wirebrief.storage.models import Article, ArticleAsset, ArticleTerm, RelatedArticle

# Core tables (mapped classes type ``__table__`` as a plain FromClause).
_terms = cast(Table, ArticleTerm.__table__)
_related = cast(Table, RelatedArticle.__table__)
_links = cast(Table, ArticleAsset.__table__)
_ABOUT = _links.c.role == LinkRole.ABOUT.value
_articles = cast(Table, Article.__table__)


@dataclass(frozen=True)
class Candidate:
    """What scoring needs to know about an article, read in bulk."""

    id: int
    story: int  # the story key: story id, else minus the id of its copy family's origin
    at: datetime
    hidden: bool


def story_key(story_id: int | None, duplicate_of: int | None, article_id: int) -> int:
    """The same key as ``search.backend.story_key``, in Python."""
    return story_id if story_id is not None else -(duplicate_of or article_id)


def save_terms(session: Session, article_id: int, vector: dict[int, float]) -> None:
    """Replace the article's postings."""
    session.execute(delete(_terms).where(_terms.c.article_id == article_id))
    if vector:
        upsert = insert_or_update(_dialect(session), _terms, ["article_id", "term"], ["weight"])
        session.execute(
            upsert,
            [{"article_id": article_id, "term": t, "weight": w} for t, w in sorted(vector.items())],
        )


def postings(
    session: Session, terms: Iterable[int], *, exclude_id: int, limit: int
) -> list[tuple[int, int]]:
    """``(term, article id)`` for the newest ``limit`` articles carrying each term: one
    bounded index range scan per term, all in one statement."""
    terms = list(terms)
    if not terms:
        return []
    part = (
        "SELECT * FROM (SELECT term, article_id FROM article_terms WHERE term = :t{n} "
        "AND article_id != :exclude ORDER BY article_id DESC LIMIT :limit) AS p{n}"
    )
    statement = text(" UNION ALL ".join(part.format(n=n) for n in range(len(terms))))
    params = {f"t{n}": term for n, term in enumerate(terms)}
    return [tuple(row) for row in session.execute(statement, {**params, "exclude": exclude_id,
                                                              "limit": limit})]  # fmt: skip


def asset_postings(session: Session, asset_id: int, *, exclude_id: int, limit: int) -> list[int]:
    """The articles most recently linked as about ``asset_id``."""
    query = (
        select(_links.c.article_id)
        .where(_links.c.asset_id == asset_id, _ABOUT, _links.c.article_id != exclude_id)
        .order_by(_links.c.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def vectors(session: Session, article_ids: Iterable[int]) -> dict[int, dict[int, float]]:
    """The stored term vectors of these articles."""
    out: dict[int, dict[int, float]] = defaultdict(dict)
    query = select(_terms.c.article_id, _terms.c.term, _terms.c.weight).where(
        _terms.c.article_id.in_(bindparam("ids", expanding=True))
    )
    for article_id, term, weight in session.execute(query, {"ids": list(article_ids)}):
        out[article_id][term] = weight
    return out


def assets_of(session: Session, article_ids: Iterable[int]) -> dict[int, set[int]]:
    """The ids of the assets each article is about (a passing mention relates nothing)."""
    out: dict[int, set[int]] = defaultdict(set)
    query = select(_links.c.article_id, _links.c.asset_id).where(
        _links.c.article_id.in_(list(article_ids)), _ABOUT
    )
    for article_id, asset_id in session.execute(query):
        out[article_id].add(asset_id)
    return out


def candidates(session: Session, article_ids: Iterable[int]) -> dict[int, Candidate]:
    """Story key, time and visibility of these articles."""
    a = _articles.c
    query = select(a.id, a.story_id, a.duplicate_of, a.published_at, a.fetched_at, a.hidden).where(
        a.id.in_(list(article_ids))
    )
    return {
        row.id: Candidate(
            row.id,
            story_key(row.story_id, row.duplicate_of, row.id),
            row.published_at or row.fetched_at,
            row.hidden,
        )
        for row in session.execute(query)
    }


def related_scores(session: Session, article_ids: Iterable[int]) -> dict[int, dict[int, float]]:
    """The stored related lists (``related id → score``) of these articles."""
    out: dict[int, dict[int, float]] = defaultdict(dict)
    query = select(_related.c.article_id, _related.c.related_id, _related.c.score).where(
        _related.c.article_id.in_(list(article_ids))
    )
    for article_id, related_id, score in session.execute(query):
        out[article_id][related_id] = score
    return out


def save_related(session: Session, lists: dict[int, dict[int, float]]) -> None:
    """Replace the related lists of these articles (``article id → related id → score``),
    in one delete and one insert."""
    if not lists:
        return
    session.execute(delete(_related).where(_related.c.article_id.in_(sorted(lists))))
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
