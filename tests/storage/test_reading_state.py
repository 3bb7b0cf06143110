"""Reading state that understands stories, at the level of the store, with real families:
pages go through the text stages and the store stage (every page a row of its own, copies
pointing at their family's origin, an original arriving late becoming the origin), in every
arrival order, on SQLite and PostgreSQL.

The invariants, whatever the order:
- reading one page of a family marks the whole family read, and it stays read whatever
  arrives later (copies, the original taking over as root);
- an app's item id for a family is the first page stored and never changes;
- every list shows one item per family;
- a story is read until a new original joins it; a copy never makes it unread;
- every account's unread rows, kept page by page and mark by mark, are what filing the
  whole desk from scratch writes.
"""

from __future__ import annotations

import itertools
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from tests.dedupe.test_collapse import article, draft_of, footer
from tests.support.unread import assert_filed_as_rebuilt
from wirebrief.article import ArticleDraft
from wirebrief.pipeline import store_article
from wirebrief.settings import Settings
from wirebrief.storage import reading
from wirebrief.storage import sources as source_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, User
from wirebrief.storage.reading import Scope, View

START = datetime(2026, 3, 1, tzinfo=UTC)
SOURCES = (
    "https://orchard.example/feed",
    "https://signal.example/feed",
    "https://ledger.example/feed",
)
ORCHARD, SIGNAL, LEDGER = 1, 2, 3  # source ids in a fresh database
FAMILY = ("O", "N", "E")  # one article: the original, a near copy, an exact copy
SECOND = ("P", "Q")  # new information in the same story, and an exact copy of it


def pages(settings: Settings) -> dict[str, ArticleDraft]:
    """The pages, through the text stages once (drafts do not depend on the database)."""
    first, second = article(6), article(7)
    return {
        "O": draft_of(settings, "https://orchard.example/fares", first),
        "N": draft_of(settings, "https://signal.example/fares", [*first[:6], footer("Orchard")], hours=3),
        "E": draft_of(settings, "https://ledger.example/fares", first, hours=6),
        "P": draft_of(settings, "https://orchard.example/fares-audit", second, hours=8),
        "Q": draft_of(settings, "https://ledger.example/fares-audit", second, hours=9),
        # after the first round: a near copy of P, then a third original in the story
        "R": draft_of(settings, "https://signal.example/fares-audit", [*second[:6], footer("Orchard")], hours=10),
        "S": draft_of(settings, "https://orchard.example/fares-vote", article(8), hours=12),
    }  # fmt: skip


SOURCE_OF = {"O": ORCHARD, "N": SIGNAL, "E": LEDGER, "P": ORCHARD, "Q": LEDGER, "R": SIGNAL,
             "S": ORCHARD}  # fmt: skip


@pytest.fixture(scope="module")
def drafts() -> dict[str, ArticleDraft]:
    settings = Settings(database_url="sqlite://", extract_workers=0)
    made = pages(settings)
    for name, draft in made.items():
        draft.source_id = SOURCE_OF[name]
    return made


class Desks:
    """A fresh, migrated database per arrival order: a copy of one migrated SQLite file, or
    the test PostgreSQL emptied (sequences restarted)."""

    def __init__(self, tmp_path: Path, engine: str) -> None:
        self.tmp_path, self.engine, self._n = tmp_path, engine, 0
        if engine == "sqlite":
            self.template = tmp_path / "template.db"
            template = Database(f"sqlite:///{self.template}")
            template.upgrade()
            template.dispose()  # the last connection to close checkpoints the WAL into the file
        else:
            self.url = os.environ.get("WIREBRIEF_TEST_POSTGRES_URL", "")
            if not self.url:
                pytest.skip("no PostgreSQL server: run the suite through `make test`")
            reset = create_engine(self.url)
            with reset.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            reset.dispose()
            self.db = Database(self.url)
            self.db.upgrade()

    def fresh(self) -> Database:
        if self.engine == "sqlite":
            self._n += 1
            path = self.tmp_path / f"order-{self._n}.db"
            shutil.copyfile(self.template, path)
            return Database(f"sqlite:///{path}")
        with self.db.engine.begin() as connection:
            tables = connection.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename NOT IN ('alembic_version')"
                )
            ).scalars()
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        return self.db


@dataclass
class Reader:
    """A desk with three sources and two accounts: one follows all three, one only the
    site that carries exact copies."""

    db: Database
    everything: int
    ledger_only: int


def account(session: Session, name: str) -> User:
    """An account with no unread horizon (its password hash is not the point here)."""
    user = User(name=name, role="reader", password_hash="-", created_at=START, updated_at=START)
    session.add(user)
    session.flush()
    return user


def open_desk(db: Database) -> Reader:
    with db.session() as session:
        for url in SOURCES:
            source_store.add_source(session, url, url.split("/")[2])
        everything, ledger_only = account(session, "ana"), account(session, "ben")
        subs.subscribe_to_desk(session, everything)
        subs.subscribe(session, ledger_only, source_store.get_source(session, LEDGER))
        return Reader(db, everything.id, ledger_only.id)


def store(db: Database, draft: ArticleDraft) -> None:
    with db.session() as session:
        store_article(session, draft)


def row_of(db: Database, url: str) -> int:
    """The article row of a page."""
    with db.session() as session:
        return session.scalar(select(Article.id).where(Article.url == url))


def family_root(db: Database, url: str) -> int:
    with db.session() as session:
        return reading.roots_of(session, [row_of(db, url)])[row_of(db, url)]


def item_ids(
    db: Database, user_id: int, view: View = View.ALL, scope: Scope = Scope()
) -> list[int]:
    with db.session() as session:
        user = session.get(User, user_id)
        return [ref.root_id for ref in reading.item_roots(session, user, view, scope, limit=100)]


def family_read(db: Database, user_id: int, url: str) -> bool:
    root = family_root(db, url)
    with db.session() as session:
        return reading.states(session, session.get(User, user_id), [root])[root].read


# Each of the family's six orders, with the second family's two orders either woven in
# or arriving first: 24 orders (all 120 take minutes on a busy machine, for no new case).
ORDERS = [
    order
    for f in itertools.permutations(FAMILY)
    for s in itertools.permutations(SECOND)
    for order in ((f[0], s[0], f[1], s[1], f[2]), (*s, *f))
]


def run_order(desks: Desks, drafts: dict[str, ArticleDraft], order: tuple[str, ...]) -> None:
    db = desks.fresh()
    desk = open_desk(db)
    ana = desk.everything
    first_of_family = next(name for name in order if name in FAMILY)
    item_id = None
    read_url = drafts[first_of_family].url
    for name in order:
        store(db, drafts[name])
        if name == first_of_family:  # ana reads the first page of the family to arrive
            root = family_root(db, read_url)
            with db.session() as session:
                reading.mark_read(session, session.get(User, ana), [row_of(db, read_url)])
                item_id = reading.first_members(session, [root])[root]
        if item_id is not None:  # from then on: read, whatever arrives
            assert family_read(db, ana, read_url), (order, name)
        assert_filed_as_rebuilt(db, (order, name))
    urls = {name: drafts[name].url for name in order}
    root_f, root_p = family_root(db, urls["O"]), family_root(db, urls["P"])
    assert {family_root(db, urls[n]) for n in FAMILY} == {root_f}, order
    assert {family_root(db, urls[n]) for n in SECOND} == {root_p}, order
    # one item per family, for an account that follows every carrier or only one of them
    assert sorted(item_ids(db, ana)) == sorted({root_f, root_p}), order
    assert sorted(item_ids(db, desk.ledger_only)) == sorted({root_f, root_p}), order
    assert item_ids(db, ana, View.UNREAD) == [root_p], order
    assert item_ids(db, ana, View.READ) == [root_f], order
    assert sorted(item_ids(db, desk.ledger_only, View.UNREAD)) == sorted({root_f, root_p}), order
    with db.session() as session:
        user = session.get(User, ana)
        # the item id apps got when the family first arrived is still its id
        assert reading.first_members(session, [root_f]) == {root_f: item_id}, order
        story_id = session.get(Article, root_f).story_id
        assert session.get(Article, root_p).story_id == story_id, order
        assert reading.story_state(session, user, story_id) == reading.StoryState(False, [root_p])
        counts = reading.unread_counts(session, user)
        assert counts.total == 1 and counts.by_folder == {None: 1}, order
        assert set(counts.by_source) == {ORCHARD, LEDGER}, order  # P and its exact copy Q
        # reading the newest page of the new original's family reads the story
        last_of_second = [name for name in order if name in SECOND][-1]
        reading.mark_read(session, user, [row_of(db, urls[last_of_second])])
        assert reading.story_state(session, user, story_id) == reading.StoryState(True, [])
    assert_filed_as_rebuilt(db, order)
    # a copy of what was read keeps the story read; a new original makes it unread again
    store(db, drafts["R"])
    with db.session() as session:
        user = session.get(User, ana)
        assert reading.story_state(session, user, story_id).read, order
        assert reading.unread_counts(session, user).total == 0, order
    store(db, drafts["S"])
    root_s = family_root(db, drafts["S"].url)
    with db.session() as session:
        user = session.get(User, ana)
        assert session.get(Article, root_s).story_id == story_id
        assert reading.story_state(session, user, story_id) == reading.StoryState(False, [root_s])
    assert item_ids(db, ana, View.UNREAD) == [root_s]
    assert_filed_as_rebuilt(db, order)
    if desks.engine == "sqlite":
        db.dispose()


def test_arrival_orders_sqlite(drafts, tmp_path: Path) -> None:
    """24 orders of five pages (two families of one story) on SQLite."""
    desks = Desks(tmp_path, "sqlite")
    for order in ORDERS:
        run_order(desks, drafts, order)


def test_arrival_orders_postgresql(drafts, tmp_path: Path) -> None:
    """Every third order (8) on PostgreSQL."""
    desks = Desks(tmp_path, "postgresql")
    try:
        for order in ORDERS[::3]:
            run_order(desks, drafts, order)
    finally:
        desks.db.dispose()
