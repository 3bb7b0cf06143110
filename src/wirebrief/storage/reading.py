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

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CursorResult,
    Delete,
    Insert,
    Select,
    Table,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from wirebrief.storage import dialect, locks
from wirebrief.storage.families import (
    copy_of,
    family_of,
    in_families,
    is_origin,
    origin_of_copy,
)
from wirebrief.storage.models import (
    Article,
    ReadingLabel,
    ReadingState,
    Subscription,
    UnreadFamily,
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

# An account in a condition: one account's id, or a column where one statement files
# families for every subscriber at once.
AccountId = int | ColumnElement[int] | InstrumentedAttribute[int]
# A family's root id in a query: the root row's id, or a column naming it.
RootId = ColumnElement[int] | InstrumentedAttribute[int]
TimeColumn = ColumnElement[datetime] | InstrumentedAttribute[datetime]


def subscribed_sources(user_id: int, scope: Scope = Scope()) -> Select[int]:
    """The ids of the sources an account follows, within ``scope``."""
    query = select(Subscription.source_id).where(Subscription.user_id == user_id)
    if scope.folder_id is not None:
        query = query.where(Subscription.folder_id == scope.folder_id)
    if scope.source_id is not None:
        query = query.where(Subscription.source_id == scope.source_id)
    return query


def _carried(
    sources: Select[int], families: BindParameter[Any] | None = None
) -> Select[int | None, int]:
    """``(source_id, family)`` for every visible page of these sources (in these families
    only, if given): the articles they published and the copies they carried."""
    within: ColumnElement[bool] = true()
    if families is not None:
        within = in_families(families, _member)
    return select(_member.source_id.label("source_id"), family_of(_member).label("family")).where(
        _member.hidden.is_(False), _member.source_id.in_(sources), within
    )


def _carried_by(sources: Select[int], root: type[Article] = Article) -> ColumnElement[bool]:
    """A condition on a root row: a visible page of its family came from one of these
    sources (index lookups per family, so a list can walk families and stop)."""
    copy = aliased(Article)
    return or_(
        and_(root.hidden.is_(False), root.source_id.in_(sources)),
        exists().where(copy_of(root.id, copy), copy.hidden.is_(False), copy.source_id.in_(sources)),
    )


def _families_marked(user_id: int, condition: ColumnElement[bool]) -> Select[int]:
    """The families in which the account marked some member so (a set: for lists driven
    by a few marks, such as stars)."""
    return (
        select(family_of(_member))
        .select_from(ReadingState)
        .join(_member, _member.id == ReadingState.article_id)
        .where(ReadingState.user_id == user_id, condition)
    )


def _marked(
    user_id: AccountId, condition: ColumnElement[bool], root_id: RootId
) -> ColumnElement[bool]:
    """A condition on a family's root id: the account marked some member so (the root's
    own mark, then its copies': index lookups, never the account's every mark)."""
    copy = aliased(Article)
    mine = ReadingState.user_id == user_id

    def on(article_id: RootId) -> ColumnElement[bool]:
        marks = exists().where(mine, ReadingState.article_id == article_id, condition)
        return marks.correlate_except(ReadingState)  # the account may be two levels out

    # nested, so that the copies are found first, then each one's mark (by key)
    copies = exists().where(copy_of(root_id, copy), on(copy.id)).correlate_except(copy)
    return or_(on(root_id), copies)


def _unread(
    user_id: AccountId,
    read_before: datetime
    | ColumnElement[datetime | None]
    | InstrumentedAttribute[datetime | None]
    | None,
    root: type[Article] = Article,
) -> ColumnElement[bool]:
    """A condition on a family's root row: no member read, and the family newer than the
    account's horizon (``read_before``) or kept unread on purpose."""
    not_read = not_(_marked(user_id, ReadingState.read.is_(True), root.id))
    if read_before is None:
        return not_read
    recent = family_time(root) >= read_before
    if not isinstance(read_before, datetime):  # every subscriber's own horizon
        recent = or_(read_before.is_(None), recent)
    return and_(not_read, or_(recent, _marked(user_id, ReadingState.read.is_(False), root.id)))


def unread(user: User, root: type[Article] = Article) -> ColumnElement[bool]:
    """A condition on a family's root row: the family is unread for ``user``."""
    return _unread(user.id, user.read_before, root)


def _visible(root: type[Article] = Article) -> ColumnElement[bool]:
    """The family has a member that was not removed."""
    copy = aliased(Article)
    return or_(
        root.hidden.is_(False),
        exists().where(copy_of(root.id, copy), copy.hidden.is_(False)),
    )


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

    Each list walks an index in its order and stops after ``limit``: unread families from
    the account's unread rows, starred and labelled ones from those few marks, the rest
    from every family by time, checked per family.
    """
    wanted = view.filter if isinstance(view, View) else view
    everywhere_starred = wanted.starred is True and scope == Scope()
    query: Select[int, datetime]
    root_id: RootId
    when: TimeColumn
    if wanted.read is False and scope.label is None and not everywhere_starred:
        query, root_id, when = _unread_rows(user, scope)
        if crawled_since is not None or crawled_until is not None:
            query = query.join(Article, Article.id == root_id)
    else:
        root_id, when = Article.id, family_time(Article)
        # most rows are roots: said so, SQLite walks the roots by time index rather than
        # reading every root through the copies' index and sorting them
        is_root = dialect.likely(is_origin())
        query = select(root_id, when).where(is_root)
        if scope.label is not None:
            query = query.where(Article.id.in_(_families_labelled(user.id, scope.label)))
        elif wanted.starred is True:
            query = query.where(Article.id.in_(_families_marked(user.id, _is_starred)))
        sources = subscribed_sources(user.id, scope)
        if scope.label is not None or everywhere_starred:
            query = query.where(_visible())
        elif wanted.starred is True or scope.source_id is not None:
            # a few families: gather them, then sort
            query = query.where(Article.id.in_(select(_carried(sources).subquery().c.family)))
        else:
            # the account's or a folder's: walk every family newest first (the roots by
            # time index), keep what the subscriptions carry, stop after a page
            query = query.where(_carried_by(sources))
        if wanted.read is not None:
            query = query.where(not_(unread(user)) if wanted.read else unread(user))
    if wanted.starred is not None:
        starred = _marked(user.id, _is_starred, root_id)
        query = query.where(starred if wanted.starred else not_(starred))
    for column, low, high in ((when, since, until), (Article.fetched_at, crawled_since,
                                                      crawled_until)):  # fmt: skip
        if low is not None:
            query = query.where(column >= low)
        if high is not None:
            query = query.where(column <= high)
    if after is not None:
        if oldest_first:
            query = query.where(
                or_(when > after.time, and_(when == after.time, root_id > after.root_id))
            )
        else:
            query = query.where(
                or_(when < after.time, and_(when == after.time, root_id < after.root_id))
            )
    order = (when, root_id) if oldest_first else (when.desc(), root_id.desc())
    rows = session.execute(query.order_by(*order).limit(limit))
    return [ItemRef(row[0], row[1]) for row in rows]


_is_starred = ReadingState.starred.is_(True)


def _unread_rows(user: User, scope: Scope) -> tuple[Select[int, datetime], RootId, TimeColumn]:
    """The account's unread families within a folder or source scope, once each, with the
    columns that name a family and its time."""
    rows = UnreadFamily
    query = select(rows.family_id, rows.family_time).where(rows.user_id == user.id)
    if scope.source_id is not None:
        query = query.where(rows.source_id == scope.source_id)
    elif scope.folder_id is not None:
        query = query.where(rows.source_id.in_(subscribed_sources(user.id, scope)))
    # a family two followed sources carry has a row for each
    return query.distinct(), rows.family_id, rows.family_time


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
    query = select(first, Article.id).where(is_origin(), _carried_by(sources))
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


def _families_labelled(user_id: int, label: str) -> Select[int]:
    return (
        select(family_of(_member))
        .select_from(ReadingLabel)
        .join(_member, _member.id == ReadingLabel.article_id)
        .where(ReadingLabel.user_id == user_id, ReadingLabel.label == label)
    )


def unread_counts(session: Session, user: User) -> UnreadCounts:
    """How many unread families each followed source and folder has, and in all: read off
    the account's unread rows (one index range), never the articles."""
    rows = UnreadFamily
    mine = rows.user_id == user.id
    counts = UnreadCounts()
    per_source = session.execute(
        select(rows.source_id, func.count(), func.max(rows.family_time))
        .where(mine)
        .group_by(rows.source_id)
    ).all()
    counts.by_source = {source: count for source, count, _ in per_source}
    counts.newest_by_source = {source: newest for source, _, newest in per_source}
    per_folder = session.execute(
        select(Subscription.folder_id, func.count(func.distinct(rows.family_id)))
        .join(Subscription, and_(Subscription.user_id == rows.user_id,
                                 Subscription.source_id == rows.source_id))
        .where(mine)
        .group_by(Subscription.folder_id)
    ).all()  # fmt: skip
    counts.by_folder = {folder: count for folder, count in per_folder}
    total = select(func.count(func.distinct(rows.family_id))).where(mine)
    counts.total = session.scalar(total) or 0
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
        select(origin_of_copy(), func.min(Article.id))
        .where(origin_of_copy().in_(list(firsts)))
        .group_by(origin_of_copy())
    )
    for root, first in rows:
        if root is not None:  # the query asks for copies of these roots only
            firsts[root] = min(firsts[root], first)
    return firsts


def first_member_id(root: type[Article] = Article) -> ColumnElement[int]:
    """:func:`first_members` as a column of a query over root rows."""
    earliest = func.coalesce(
        select(func.min(_member.id)).where(copy_of(root.id, _member)).scalar_subquery(),
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
    new = session.scalars(
        select(Article.id)
        .where(is_origin(), Article.story_id == story_id, _filed_unread(user))
        .order_by(family_time(), Article.id)
    ).all()
    return StoryState(read=not new, new=list(new))


def stories_partly_read(session: Session, user: User, story_ids: Iterable[int]) -> set[int]:
    """The stories among these in which the account has read some family its subscriptions
    carry: an unread family there is news in a story it follows."""
    ids = sorted(set(story_ids))
    if not ids:
        return set()
    query = select(Article.story_id).where(
        is_origin(), Article.story_id.in_(ids),
        _carried_by(subscribed_sources(user.id)), not_(_filed_unread(user)),
    ).distinct()  # fmt: skip
    return set(session.scalars(query))


def _filed_unread(user: User, root: type[Article] = Article) -> ColumnElement[bool]:
    """A condition on a root row: the family is among the account's unread rows (so
    carried by a source it follows, and unread)."""
    rows = UnreadFamily
    return exists().where(rows.user_id == user.id, rows.family_id == root.id)


# ── changing state ──


def mark_read(session: Session, user: User, article_ids: Iterable[int]) -> None:
    """The families of these articles are read (each mark sits on the page acted on)."""
    for chunk in _chunks(article_ids):
        _hold_families(session, chunk)
        _upsert(session, user, _existing(chunk), read=True, read_changed_at=utcnow())
        _unfile(session, user, roots_of(session, chunk).values())


def mark_unread(session: Session, user: User, article_ids: Iterable[int]) -> None:
    """The families of these articles are unread again, kept so even when old."""
    for chunk in _chunks(article_ids):
        _hold_families(session, chunk)
        roots = set(roots_of(session, chunk).values())
        session.execute(
            update(ReadingState)
            .where(
                ReadingState.user_id == user.id,
                ReadingState.article_id.in_(_members(roots)),
                ReadingState.read.is_not(None),
            )
            .values(read=None)
        )
        _upsert(session, user, _existing(chunk), read=False, read_changed_at=utcnow())
        _file(session, roots, user_id=user.id)


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
    (published up to ``until``, fetched up to ``crawled_until``; in one story); with a
    label, every unread family with that label. Families arriving later stay unread.
    Returns how many were marked."""
    roots: Select[int, datetime]
    root_id: RootId
    when: TimeColumn
    if scope.label is not None:
        root_id, when = Article.id, family_time()
        roots = select(root_id, when).where(
            is_origin(),
            Article.id.in_(_families_labelled(user.id, scope.label)),
            unread(user),
        )
    else:
        roots, root_id, when = _unread_rows(user, scope)
        if crawled_until is not None or story_id is not None:
            roots = roots.join(Article, Article.id == root_id)
    if until is not None:
        roots = roots.where(when <= until)
    if crawled_until is not None:
        roots = roots.where(Article.fetched_at <= crawled_until)
    if story_id is not None:
        roots = roots.where(Article.story_id == story_id)
    ids = [row[0] for row in session.execute(roots)]
    for chunk in _chunks(ids):
        _hold_families(session, chunk)
        _upsert(session, user, _existing(chunk), read=True, read_changed_at=utcnow())
        _unfile(session, user, roots_of(session, chunk).values())
    return len(ids)


# ── the unread rows: kept with every change, read by lists and counts ──

# PostgreSQL advisory locks, so that a row filed from what a statement read never outlives
# a change committed meanwhile: a page stored and an account's mark on the same family take
# turns (families, by member id), and so do a page stored and a subscription to its source.
# A stored page takes its family's locks first, then its source's; the others take one kind.
_FAMILY_LOCKS = 0x52454144  # "READ"
_SOURCE_LOCKS = 0x464F4C57  # "FOLW"


def _hold_families(session: Session, article_ids: Collection[int]) -> None:
    """Hold the family locks of these pages (a stored page holds every member's)."""
    locks.hold(session, _FAMILY_LOCKS, article_ids)


def file_families(session: Session, roots: Iterable[int], *, new_on: Collection[int] = ()) -> None:
    """Refile these families for every account following a source that carries them: the
    store stage calls it for each page it stores (a new family, a copy carried by another
    source, an original taking over as root, a page read again), with the sources it was
    just seen on (``new_on``); removals for each page hidden or shown."""
    roots = set(roots)
    if not roots:
        return
    if session.get_bind().dialect.name == "postgresql":
        _hold_families(session, session.scalars(_members(roots)).all())
        locks.hold(session, _SOURCE_LOCKS, new_on)
    _file(session, roots)


def file_subscription(session: Session, user: User, source_id: int) -> None:
    """File the unread families of a source the account now follows."""
    locks.hold(session, _SOURCE_LOCKS, [source_id])
    rows = UnreadFamily
    session.execute(delete(rows).where(rows.user_id == user.id, rows.source_id == source_id))
    _file(session, None, user_id=user.id, source_id=source_id)


def unfile_subscription(session: Session, user: User, source_id: int) -> None:
    """Drop the unread rows of a source the account no longer follows."""
    rows = UnreadFamily
    session.execute(delete(rows).where(rows.user_id == user.id, rows.source_id == source_id))


def misfiled_accounts(session: Session) -> list[int]:
    """The accounts whose unread rows are not what a rebuild from the pages, subscriptions
    and marks writes (the rebuild is rolled back)."""
    kept = _rows_by_account(session)
    rebuild = session.begin_nested()
    file_everything(session)
    rebuilt = _rows_by_account(session)
    rebuild.rollback()
    return sorted(user for user in kept.keys() | rebuilt.keys() if kept[user] != rebuilt[user])


def _rows_by_account(session: Session) -> defaultdict[int, set[tuple[int, int, datetime]]]:
    rows = UnreadFamily
    found: defaultdict[int, set[tuple[int, int, datetime]]] = defaultdict(set)
    query = select(rows.user_id, rows.family_id, rows.source_id, rows.family_time)
    for user, family, source, when in session.execute(query):
        found[user].add((family, source, when))
    return found


def file_everything(session: Session) -> None:
    """Rebuild every account's unread rows from the pages, subscriptions and marks (what
    ``wirebrief doctor --repair`` does when some are off)."""
    session.execute(delete(UnreadFamily))
    _file(session, None)


def _file(
    session: Session,
    roots: Collection[int] | None,
    *,
    user_id: int | None = None,
    source_id: int | None = None,
) -> None:
    """Write the unread rows of these families (every family if None), for one account
    and source if given, from the truth: the pages, subscriptions and marks. Rows of these
    families, and of members that were roots before (an original took over), go first."""
    stale, fresh = _filing(
        session.get_bind().dialect.name, roots is not None, user_id is not None,
        source_id is not None,
    )  # fmt: skip
    values = {"roots": sorted(roots or ()), "user_id": user_id, "source_id": source_id}
    if stale is not None:
        session.execute(stale, values)
    session.execute(fresh, values)


@lru_cache(maxsize=16)
def _filing(
    dialect_name: str, by_family: bool, by_user: bool, by_source: bool
) -> tuple[Delete | None, Insert]:
    """The statements :func:`_file` runs, built once (building them costs more than
    running them for one family), with ``roots``, ``user_id`` and ``source_id`` bound."""
    rows = UnreadFamily
    roots: BindParameter[Any] = bindparam("roots", expanding=True)
    stale = None
    if by_family:
        stale = delete(rows).where(rows.family_id.in_(_members(roots)))
        if by_user:
            stale = stale.where(rows.user_id == bindparam("user_id"))
    following = select(Subscription.source_id)
    if by_user:
        following = following.where(Subscription.user_id == bindparam("user_id"))
    if by_source:
        following = following.where(Subscription.source_id == bindparam("source_id"))
    carried = _carried(following.distinct(), roots if by_family else None).subquery()
    root = aliased(Article, name="root")
    chosen = (
        select(Subscription.user_id, carried.c.source_id, carried.c.family, family_time(root))
        .select_from(carried)
        .join(Subscription, Subscription.source_id == carried.c.source_id)
        .join(User, User.id == Subscription.user_id)
        .join(root, root.id == carried.c.family)
        .where(is_origin(root), _unread(Subscription.user_id, User.read_before, root))
    )
    if by_user:
        chosen = chosen.where(Subscription.user_id == bindparam("user_id"))
    table = cast(Table, rows.__table__)
    columns = ["user_id", "source_id", "family_id", "family_time"]
    fresh = dialect.insert_or_ignore(dialect_name, table).from_select(columns, chosen)
    return stale, fresh


def _unfile(session: Session, user: User, roots: Iterable[int]) -> None:
    """The account read these families: their rows go."""
    rows = UnreadFamily
    session.execute(
        delete(rows).where(rows.user_id == user.id, rows.family_id.in_(sorted(set(roots))))
    )


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


def _members(roots: Iterable[int] | BindParameter[Any]) -> Select[int]:
    """Every article of these families."""
    return select(Article.id).where(in_families(roots))


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
