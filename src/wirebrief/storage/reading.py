"""Reading state that understands stories: read, kept unread and starred, per account.

A *family* is an original and its copies: every page is a row of its own, and copies
point at the root with ``articles.duplicate_of``. State is stored on the
page the account acted on and read back per family, at query time:

- a family is read when any member is marked read, so a copy that arrives later is read
  already, and an original arriving after its copy, which takes over as the root, inherits
  the copy's state;
- a family is starred when any member is;
- otherwise it is unread, unless it was published before the account's ``read_before``
  (and not kept unread on purpose);
- a story is read while every family in it is: a new original (new information) makes it
  unread with that family marked new; a copy never does.

An item (what a list or an app shows) is a family: its root, or the first visible member
when the root was hidden. Apps get the family's first stored article id as the item's id,
which no later arrival changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CursorResult,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, aliased

from wirebrief.storage import dialect
from wirebrief.storage.families import family_of
from wirebrief.storage.models import (
    Article,
    ReadingLabel,
    ReadingState,
    Subscription,
    User,
)
from wirebrief.times import utcnow

# One member of a family, apart from the row that stands for the family in a query.
_member = aliased(Article, name="member")


def family_time(article: type[Article] = Article) -> ColumnElement[datetime]:
    """When a family happened: its root's publication time, else when it was fetched."""
    return func.coalesce(article.published_at, article.fetched_at)


@dataclass(frozen=True)
class Filter:
    """Which states a list keeps: ``read`` True keeps read families, False unread ones,
    None both; ``starred`` likewise."""

    read: bool | None = None
    starred: bool | None = None


class View(StrEnum):
    """Which of an account's items a list shows."""

    ALL = "all"
    UNREAD = "unread"
    STARRED = "starred"
    READ = "read"

    @property
    def filter(self) -> Filter:
        """The states this view keeps."""
        return _VIEW_FILTERS[self]


_VIEW_FILTERS = {
    View.ALL: Filter(),
    View.UNREAD: Filter(read=False),
    View.STARRED: Filter(starred=True),
    View.READ: Filter(read=True),
}


@dataclass(frozen=True)
class Scope:
    """What a list or a count covers: every subscription, one folder, one source, or the
    families the account gave one label (followed or not)."""

    folder_id: int | None = None
    source_id: int | None = None
    label: str | None = None


@dataclass(frozen=True)
class Cursor:
    """Where a page of a list ended: the last item's time and root id."""

    time: datetime
    root_id: int

    @classmethod
    def after(cls, ref: ItemRef) -> Cursor:
        """The cursor past ``ref``."""
        return cls(ref.time, ref.root_id)

    def encode(self) -> str:
        """As a link or an app carries it: ``<microseconds>-<root id>``."""
        return f"{int(self.time.timestamp() * 1e6)}-{self.root_id}"

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        """The cursor :meth:`encode` wrote; ValueError for anything else."""
        micros, _, root = raw.partition("-")
        try:
            return cls(datetime.fromtimestamp(int(micros) / 1e6, UTC), int(root))
        except (OverflowError, OSError) as exc:
            raise ValueError(f"{raw!r} is not a list position") from exc


@dataclass(frozen=True)
class ItemRef:
    """One item of a list: the family's root and its time."""

    root_id: int
    time: datetime


@dataclass(frozen=True)
class FamilyState:
    """What an account did with a family."""

    read: bool
    starred: bool


@dataclass
class UnreadCounts:
    """Unread families per source, per folder (``None``: no folder) and over all; a family
    carried by two sources counts once in a folder and once in the total."""

    by_source: dict[int, int] = field(default_factory=dict)
    by_folder: dict[int | None, int] = field(default_factory=dict)
    total: int = 0
    newest_by_source: dict[int, datetime] = field(default_factory=dict)


@dataclass(frozen=True)
class StoryState:
    """A story for an account: read until a family it has not read joins; ``new`` lists
    those families' roots."""

    read: bool
    new: list[int]


# ── which families an account sees ──


def subscribed_sources(user_id: int, scope: Scope = Scope()) -> Select[int]:
    """The ids of the sources an account follows, within ``scope``."""
    query = select(Subscription.source_id).where(Subscription.user_id == user_id)
    if scope.folder_id is not None:
        query = query.where(Subscription.folder_id == scope.folder_id)
    if scope.source_id is not None:
        query = query.where(Subscription.source_id == scope.source_id)
    return query


def _carried(sources: Select[int]) -> Select[int | None, int]:
    """``(source_id, family)`` for every visible page of these sources: the articles they
    published and the copies they carried."""
    return select(_member.source_id.label("source_id"), family_of(_member).label("family")).where(
        _member.hidden.is_(False), _member.source_id.in_(sources)
    )


def _families_marked(user_id: int, condition: ColumnElement[bool]) -> Select[int]:
    """The families in which the account marked some member so."""
    return (
        select(family_of(_member))
        .select_from(ReadingState)
        .join(_member, _member.id == ReadingState.article_id)
        .where(ReadingState.user_id == user_id, condition)
    )


def unread(user: User, root: type[Article] = Article) -> ColumnElement[bool]:
    """A condition on a family's root row: the family is unread for ``user``."""
    not_read = root.id.not_in(_families_marked(user.id, ReadingState.read.is_(True)))
    if user.read_before is None:
        return not_read
    recent = family_time(root) >= user.read_before
    kept = root.id.in_(_families_marked(user.id, ReadingState.read.is_(False)))
    return and_(not_read, or_(recent, kept))


def _visible(root: type[Article] = Article) -> ColumnElement[bool]:
    """The family has a member that was not removed."""
    copies = select(_member.duplicate_of).where(
        _member.duplicate_of.is_not(None), _member.hidden.is_(False)
    )
    return or_(root.hidden.is_(False), root.id.in_(copies))


def item_roots(
    session: Session,
    user: User,
    view: View | Filter = View.ALL,
    scope: Scope = Scope(),
    *,
    limit: int = 50,
    after: Cursor | None = None,
    oldest_first: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    crawled_since: datetime | None = None,
    crawled_until: datetime | None = None,
) -> list[ItemRef]:
    """A page of an account's items, newest first (or oldest), after ``after``.

    Lists cover the families the account's subscriptions carry (within ``scope``); starred
    families and labelled ones are listed whether their sources are followed or not.
    ``since`` and ``until`` bound the family's time, ``crawled_since`` and ``crawled_until``
    when its root was fetched (what apps syncing "since my last sync" mean); all inclusive.
    """
    wanted = view.filter if isinstance(view, View) else view
    when = family_time(Article)
    query = select(Article.id, when).where(Article.duplicate_of.is_(None), _visible())
    carried = select(_carried(subscribed_sources(user.id, scope)).subquery().c.family)
    if scope.label is not None:
        query = query.where(Article.id.in_(_families_labelled(user.id, scope.label)))
    elif wanted.starred is True and scope == Scope():
        query = query.where(_starred(user))
    else:
        query = query.where(Article.id.in_(carried))
    if wanted.starred is not None:
        query = query.where(_starred(user) if wanted.starred else not_(_starred(user)))
    if wanted.read is not None:
        query = query.where(not_(unread(user)) if wanted.read else unread(user))
    for column, low, high in ((when, since, until), (Article.fetched_at, crawled_since,
                                                      crawled_until)):  # fmt: skip
        if low is not None:
            query = query.where(column >= low)
        if high is not None:
            query = query.where(column <= high)
    if after is not None:
        if oldest_first:
            query = query.where(
                or_(when > after.time, and_(when == after.time, Article.id > after.root_id))
            )
        else:
            query = query.where(
                or_(when < after.time, and_(when == after.time, Article.id < after.root_id))
            )
    order = (when, Article.id) if oldest_first else (when.desc(), Article.id.desc())
    rows = session.execute(query.order_by(*order).limit(limit))
    return [ItemRef(row[0], row[1]) for row in rows]


def items_by_first_id(
    session: Session,
    user: User,
    *,
    after_id: int | None = None,
    before_id: int | None = None,
    source_ids: Collection[int] | None = None,
    limit: int = 50,
) -> list[tuple[int, int]]:
    """``(item id, root)`` of the families the account's subscriptions carry (only these
    sources', if given), by item id (the family's first stored article): above
    ``after_id`` in ascending order, or below ``before_id`` in descending order (the Fever
    API's paging)."""
    first = first_member_id(Article)
    sources = subscribed_sources(user.id)
    if source_ids is not None:
        sources = sources.where(Subscription.source_id.in_(list(source_ids)))
    carried = select(_carried(sources).subquery().c.family)
    query = select(first, Article.id).where(Article.duplicate_of.is_(None), Article.id.in_(carried))
    if before_id is not None:
        query = query.where(first < before_id).order_by(first.desc())
    else:
        after_id = after_id or 0
        # a family's first id is at most its root's: the root's id bounds the scan
        query = query.where(Article.id > after_id, first > after_id).order_by(first)
    return [(row[0], row[1]) for row in session.execute(query.limit(limit))]


def count_items(session: Session, user: User) -> int:
    """How many families the account's subscriptions carry."""
    carried = _carried(subscribed_sources(user.id)).subquery()
    return session.scalar(select(func.count(func.distinct(carried.c.family)))) or 0


def _starred(user: User, root: type[Article] = Article) -> ColumnElement[bool]:
    return root.id.in_(_families_marked(user.id, ReadingState.starred.is_(True)))


def _families_labelled(user_id: int, label: str) -> Select[int]:
    return (
        select(family_of(_member))
        .select_from(ReadingLabel)
        .join(_member, _member.id == ReadingLabel.article_id)
        .where(ReadingLabel.user_id == user_id, ReadingLabel.label == label)
    )


def unread_counts(session: Session, user: User) -> UnreadCounts:
    """How many unread families each followed source and folder has, and in all."""
    carried = _carried(subscribed_sources(user.id)).subquery()
    rows = session.execute(
        select(carried.c.source_id, carried.c.family, family_time(Article))
        .join(Article, Article.id == carried.c.family)
        .where(unread(user))
    ).all()
    folders = dict(
        session.execute(
            select(Subscription.source_id, Subscription.folder_id).where(
                Subscription.user_id == user.id
            )
        ).all()
    )
    counts = UnreadCounts()
    by_folder: dict[int | None, set[int]] = defaultdict(set)
    newest: dict[int, datetime] = {}
    for source_id, family, when in rows:
        by_folder[folders.get(source_id)].add(family)
        if source_id not in newest or when > newest[source_id]:
            newest[source_id] = when
    counts.by_source = dict(Counter(source_id for source_id, _, _ in rows))
    counts.by_folder = {folder: len(families) for folder, families in by_folder.items()}
    counts.total = len({family for _, family, _ in rows})
    counts.newest_by_source = newest
    return counts


# ── state of given families ──


def roots_of(session: Session, article_ids: Iterable[int]) -> dict[int, int]:
    """The family root of each of these article ids (unknown ids are left out)."""
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    return dict(session.execute(select(Article.id, family_of()).where(Article.id.in_(ids))).all())


def first_members(session: Session, roots: Iterable[int]) -> dict[int, int]:
    """The family's first stored article id for each root: an item's id in apps, which
    no later arrival changes (an original arriving after its copy takes the copy's)."""
    firsts = {root: root for root in roots}
    if not firsts:
        return {}
    rows = session.execute(
        select(Article.duplicate_of, func.min(Article.id))
        .where(Article.duplicate_of.in_(list(firsts)))
        .group_by(Article.duplicate_of)
    )
    for root, first in rows:
        if root is not None:  # the query asks for copies of these roots only
            firsts[root] = min(firsts[root], first)
    return firsts


def first_member_id(root: type[Article] = Article) -> ColumnElement[int]:
    """:func:`first_members` as a column of a query over root rows."""
    earliest = func.coalesce(
        select(func.min(_member.id)).where(_member.duplicate_of == root.id).scalar_subquery(),
        root.id,
    )
    return case((earliest < root.id, earliest), else_=root.id)


def states(session: Session, user: User, roots: Sequence[int]) -> dict[int, FamilyState]:
    """Read and starred for each of these families."""
    if not roots:
        return {}
    marks = session.execute(
        select(family_of(_member), ReadingState.read, ReadingState.starred)
        .join(_member, _member.id == ReadingState.article_id)
        .where(ReadingState.user_id == user.id, family_of(_member).in_(list(roots)))
    ).all()
    read: dict[int, bool | None] = {}
    starred: set[int] = set()
    for family, is_read, is_starred in marks:
        if is_read is True or (is_read is False and read.get(family) is not True):
            read[family] = is_read
        if is_starred:
            starred.add(family)
    times = dict(
        session.execute(select(Article.id, family_time()).where(Article.id.in_(list(roots)))).all()
    )
    result = {}
    for root in roots:
        mark = read.get(root)
        if mark is None:
            old = user.read_before is not None and root in times and times[root] < user.read_before
            mark = old
        result[root] = FamilyState(read=mark, starred=root in starred)
    return result


def story_state(session: Session, user: User, story_id: int) -> StoryState:
    """Whether the account has read every family of a story its subscriptions carry; the
    families it has not are new."""
    carried = select(_carried(subscribed_sources(user.id)).subquery().c.family)
    new = session.scalars(
        select(Article.id)
        .where(
            Article.duplicate_of.is_(None),
            Article.story_id == story_id,
            Article.id.in_(carried),
            unread(user),
        )
        .order_by(family_time(), Article.id)
    ).all()
    return StoryState(read=not new, new=list(new))


def stories_partly_read(session: Session, user: User, story_ids: Iterable[int]) -> set[int]:
    """The stories among these in which the account has read some family its subscriptions
    carry: an unread family there is news in a story it follows."""
    ids = sorted(set(story_ids))
    if not ids:
        return set()
    carried = select(_carried(subscribed_sources(user.id)).subquery().c.family)
    query = select(Article.story_id).where(
        Article.duplicate_of.is_(None), Article.story_id.in_(ids), Article.id.in_(carried),
        not_(unread(user)),
    ).distinct()  # fmt: skip
    return set(session.scalars(query))


# ── changing state ──


def mark_read(session: Session, user: User, article_ids: Iterable[int]) -> None:
    """The families of these articles are read (each mark sits on the page acted on)."""
    for chunk in _chunks(article_ids):
        _upsert(session, user, _existing(chunk), read=True, read_changed_at=utcnow())


def mark_unread(session: Session, user: User, article_ids: Iterable[int]) -> None:
    """The families of these articles are unread again, kept so even when old."""
    for chunk in _chunks(article_ids):
        members = _members(roots_of(session, chunk).values())
        session.execute(
            update(ReadingState)
            .where(
                ReadingState.user_id == user.id,
                ReadingState.article_id.in_(members),
                ReadingState.read.is_not(None),
            )
            .values(read=None)
        )
        _upsert(session, user, _existing(chunk), read=False, read_changed_at=utcnow())


def set_starred(session: Session, user: User, article_ids: Iterable[int], starred: bool) -> None:
    """Star the families of these articles, or unstar them (every member)."""
    for chunk in _chunks(article_ids):
        if starred:
            _upsert(session, user, _existing(chunk), starred=True, starred_at=utcnow())
            continue
        members = _members(roots_of(session, chunk).values())
        session.execute(
            update(ReadingState)
            .where(ReadingState.user_id == user.id, ReadingState.article_id.in_(members))
            .values(starred=False, starred_at=None)
        )


def mark_all_read(
    session: Session,
    user: User,
    scope: Scope = Scope(),
    *,
    until: datetime | None = None,
    crawled_until: datetime | None = None,
    story_id: int | None = None,
) -> int:
    """Mark read every unread family the account's subscriptions carry within ``scope``
    (published up to ``until``, fetched up to ``crawled_until``; in one story), in one
    statement. Families arriving later stay unread. Returns how many were marked."""
    if scope.label is not None:
        within = _families_labelled(user.id, scope.label)
    else:
        within = select(_carried(subscribed_sources(user.id, scope)).subquery().c.family)
    roots = select(Article.id).where(
        Article.duplicate_of.is_(None), Article.id.in_(within), unread(user)
    )
    if until is not None:
        roots = roots.where(family_time() <= until)
    if crawled_until is not None:
        roots = roots.where(Article.fetched_at <= crawled_until)
    if story_id is not None:
        roots = roots.where(Article.story_id == story_id)
    return _upsert(session, user, roots, read=True, read_changed_at=utcnow())


def set_label(
    session: Session, user: User, article_ids: Iterable[int], label: str, on: bool
) -> None:
    """Give the families of these articles a label, or take it from every member."""
    for chunk in _chunks(article_ids):
        if on:
            table = cast(Table, ReadingLabel.__table__)
            keys = ["user_id", "article_id", "label"]
            statement = dialect.insert_or_update(
                session.get_bind().dialect.name, table, keys, ["created_at"]
            ).from_select(
                [*keys, "created_at"],
                select(
                    literal(user.id), Article.id, literal(label),
                    literal(utcnow(), table.c.created_at.type),
                ).where(Article.id.in_(chunk)),
            )  # fmt: skip
            session.execute(statement)
            continue
        members = _members(roots_of(session, chunk).values())
        session.execute(
            delete(ReadingLabel).where(
                ReadingLabel.user_id == user.id,
                ReadingLabel.label == label,
                ReadingLabel.article_id.in_(members),
            )
        )


def labels(session: Session, user: User) -> list[str]:
    """The labels the account has given, by name."""
    query = select(ReadingLabel.label).where(ReadingLabel.user_id == user.id).distinct()
    return sorted(session.scalars(query))


def rename_label(session: Session, user: User, old: str, new: str) -> int:
    """Rename a label on every family that has it; returns how many rows changed."""
    mine = ReadingLabel.user_id == user.id
    have_new = select(ReadingLabel.article_id).where(mine, ReadingLabel.label == new)
    session.execute(
        delete(ReadingLabel).where(
            mine, ReadingLabel.label == old, ReadingLabel.article_id.in_(have_new)
        )
    )
    result = session.execute(
        update(ReadingLabel).where(mine, ReadingLabel.label == old).values(label=new)
    )
    return cast("CursorResult[Any]", result).rowcount


def delete_label(session: Session, user: User, label: str) -> int:
    """Take a label off every family; returns how many rows went."""
    result = session.execute(
        delete(ReadingLabel).where(ReadingLabel.user_id == user.id, ReadingLabel.label == label)
    )
    return cast("CursorResult[Any]", result).rowcount


def labels_of(session: Session, user: User, roots: Sequence[int]) -> dict[int, set[str]]:
    """The account's labels on each of these families."""
    found: dict[int, set[str]] = defaultdict(set)
    if roots:
        rows = session.execute(
            select(family_of(_member), ReadingLabel.label)
            .join(_member, _member.id == ReadingLabel.article_id)
            .where(ReadingLabel.user_id == user.id, family_of(_member).in_(list(roots)))
        )
        for family, label in rows:
            found[family].add(label)
    return found


@dataclass(frozen=True)
class Page:
    """One page carrying a family: its URL, source, site and publication time."""

    root_id: int
    article_id: int
    url: str
    source_id: int | None
    site_name: str | None
    published_at: datetime | None


def carriers(session: Session, roots: Sequence[int]) -> dict[int, list[Page]]:
    """Every visible page of each of these families (the original's first, then by time):
    where else an item appeared."""
    found: dict[int, list[Page]] = defaultdict(list)
    if not roots:
        return {}
    family = family_of(_member)
    pages = session.execute(
        select(family, _member.id, _member.url, _member.source_id, _member.site_name,
               _member.published_at)
        .where(_member.hidden.is_(False), family.in_(list(roots)))
    )  # fmt: skip
    for row in pages:
        page = Page(*row)
        found[page.root_id].append(page)

    def order(p: Page) -> tuple:
        return (p.article_id != p.root_id, p.published_at is None, p.published_at, p.url)

    return {root: sorted(pages, key=order) for root, pages in found.items()}


# A statement's bound ids stay well below SQLite's variable limit.
_CHUNK = 500


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _existing(ids: list[int]) -> Select[int]:
    return select(Article.id).where(Article.id.in_(ids))


def _members(roots: Iterable[int]) -> Select[int]:
    """Every article of these families."""
    ids = sorted(set(roots))
    return select(Article.id).where(or_(Article.id.in_(ids), Article.duplicate_of.in_(ids)))


def _upsert(session: Session, user: User, article_ids: Select[int], **values: object) -> int:
    """Set ``values`` on the account's rows for these articles, creating missing rows, in
    one INSERT … SELECT … ON CONFLICT; returns the rows written."""
    ids = article_ids.subquery()
    table = cast(Table, ReadingState.__table__)
    chosen = select(
        literal(user.id), *ids.c, *(literal(v, table.c[name].type) for name, v in values.items())
    ).where(true())  # SQLite reads ON CONFLICT after a bare SELECT as a join's ON
    statement = dialect.insert_or_update(
        session.get_bind().dialect.name, table, ["user_id", "article_id"], list(values)
    ).from_select(["user_id", "article_id", *values], chosen)
    return len(session.execute(statement.returning(ReadingState.article_id)).all())
