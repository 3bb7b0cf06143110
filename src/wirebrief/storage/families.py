"""One entry per copy family: the queries every reader list goes through.

A copy (exact or near) points at its family's origin itself (``duplicate_of``), and a family
with a visible member has a visible origin (``dedupe.collapse.settle``). So a list shows each
family once, as its origin: the home page's stories, asset pages and feeds, the article API,
search results, related lists and alerts. A source's own list shows what that source carried,
its copies included, each family once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import BindParameter, ColumnElement, Select, and_, exists, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased, joinedload

from wirebrief.storage.dialect import likely
from wirebrief.storage.models import Article

# Only this module (and the writers that file copies: dedupe/collapse.py, storage/copies.py)
# spells out how a family is stored; tests/storage/test_families_only.py keeps it so.

T = TypeVar("T")


def family_of(article: type[Article] = Article) -> ColumnElement[int]:
    """An article's family: the id of its origin (every copy points at the origin itself)."""
    return func.coalesce(article.duplicate_of, article.id)


def is_origin(article: type[Article] = Article) -> ColumnElement[bool]:
    """The row is its family's origin: the entry a list shows for the family."""
    return article.duplicate_of.is_(None)


def is_copy(article: type[Article] = Article) -> ColumnElement[bool]:
    """The row is a copy of another article (1 sorts after 0 as True after False)."""
    return article.duplicate_of.is_not(None)


def origin_of_copy(article: type[Article] = Article) -> InstrumentedAttribute[int | None]:
    """The origin a copy points at (NULL on an origin): to group copies by family."""
    return article.duplicate_of


def copy_of(
    origin_id: int | ColumnElement[int] | InstrumentedAttribute[int],
    article: type[Article] = Article,
) -> ColumnElement[bool]:
    """The row is a copy in the family of ``origin_id``."""
    return article.duplicate_of == origin_id


def in_families(
    origin_ids: Iterable[int] | BindParameter[Any], article: type[Article] = Article
) -> ColumnElement[bool]:
    """The row belongs to one of these families (given by their origins' ids)."""
    ids = origin_ids if isinstance(origin_ids, BindParameter) else sorted(set(origin_ids))
    return or_(article.id.in_(ids), article.duplicate_of.in_(ids))


def newest_first() -> list[ColumnElement]:
    """The order of every list: publication time (else arrival), newest first."""
    return [func.coalesce(Article.published_at, Article.fetched_at).desc(), Article.id.desc()]


def listed(where: ColumnElement[bool] | None = None) -> Select[Article]:
    """Visible articles, one per copy family: the origin of each family with a visible member
    that matches ``where`` (a condition on ``Article``; any member may match), newest first."""
    query = select(Article).options(joinedload(Article.source)).where(*_listed(where))
    return query.order_by(*newest_first())


def count_listed(session: Session, where: ColumnElement[bool] | None = None) -> int:
    """How many entries :func:`listed` has."""
    if where is None and session.get_bind().dialect.name == "sqlite":
        # SQLite would count through the copies' index, reading every origin's row (seconds
        # at a million articles); the index of origins by time holds all it needs.
        return session.scalar(_COUNT_ORIGINS_ON_SQLITE) or 0
    return session.scalar(select(func.count(Article.id)).where(*_listed(where))) or 0


_COUNT_ORIGINS_ON_SQLITE = text(
    "SELECT count(*) FROM articles INDEXED BY ix_articles_roots_by_time"
    " WHERE hidden IS 0 AND duplicate_of IS NULL"
)


def _listed(where: ColumnElement[bool] | None) -> list[ColumnElement[bool]]:
    if where is None:  # every origin, newest first: walk the index of origins by time
        return [Article.hidden.is_(False), likely(is_origin())]
    matching = select(family_of()).where(Article.hidden.is_(False), where).correlate(None)
    return [Article.hidden.is_(False), is_origin(), Article.id.in_(matching)]


def carried_by(source_id: int) -> Select[Article]:
    """What a source carried, visible, newest first: its originals and its copies of other
    outlets' articles, each family once (the source's original of it, else its first copy)."""
    query = select(Article).options(joinedload(Article.source)).where(*_carried_by(source_id))
    return query.order_by(*newest_first())


def count_carried_by(session: Session, source_id: int) -> int:
    """How many entries :func:`carried_by` has."""
    return session.scalar(select(func.count(Article.id)).where(*_carried_by(source_id))) or 0


def _carried_by(source_id: int) -> list[ColumnElement[bool]]:
    better = aliased(Article)  # the same source's origin of the family, or an earlier copy
    shown_already = exists().where(
        better.source_id == Article.source_id,
        better.hidden.is_(False),
        or_(
            better.id == Article.duplicate_of,
            and_(better.duplicate_of == Article.duplicate_of, better.url < Article.url),
        ),
    )
    return [
        Article.source_id == source_id,
        Article.hidden.is_(False),
        or_(Article.duplicate_of.is_(None), ~shown_already),
    ]


def stored_by(session: Session, families: Iterable[int], up_to_id: int) -> set[int]:
    """Which of these families (by origin id) had a member stored at or before article
    ``up_to_id``: old news, whichever member came first."""
    wanted = sorted(set(families))
    if not wanted:
        return set()
    query = select(family_of()).where(Article.id <= up_to_id, family_of().in_(wanted))
    return set(session.scalars(query.distinct()))


def origins(session: Session, articles: Sequence[Article]) -> dict[int, Article]:
    """``article id → its family's origin`` (the article itself for an origin)."""
    wanted = {a.family for a in articles if a.is_copy}
    found = {a.id: a for a in articles}
    missing = wanted - set(found)
    if missing:
        query = select(Article).options(joinedload(Article.source))
        found |= {a.id: a for a in session.scalars(query.where(Article.id.in_(missing)))}
    return {a.id: found.get(a.family, a) for a in articles}


def one_per_family(
    session: Session, items: Iterable[T], article_of: Callable[[T], Article]
) -> list[tuple[Article, T]]:
    """A list computed elsewhere (search hits, related articles), with each item's article
    replaced by its family's origin and each family kept once, in the list's order; hidden
    origins are left out."""
    items = list(items)
    origin_of = origins(session, [article_of(item) for item in items])
    seen: set[int] = set()
    kept = []
    for item in items:
        origin = origin_of[article_of(item).id]
        if origin.id in seen or origin.hidden:
            continue
        seen.add(origin.id)
        kept.append((origin, item))
    return kept
