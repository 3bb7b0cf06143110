"""Reading-state benchmark: what an account's lists and counts cost as the desk grows.

Synthetic desk per size (``--sizes 10000,100000``), in a fresh SQLite file: N articles
over two years from 40 sources, one in five a near copy of an earlier article on another
source and one in ten an exact copy on a mirror site (both rows of their own pointing at
the family's origin, ``duplicate_of``, as the store stage writes them). One account
follows every source, has read 60 % of the families (marks on a random member, as readers
act on copies too) and starred 1 %; its unread horizon is off, so every unread family
counts (the worst case).

Measured, five runs each after a warm-up (median wall-clock and process CPU), beside the
anchor measured in the same run: the anonymous reader's newest 50 articles
(``storage.articles.list_articles``), a plain indexed read with no state:

- unread page: ``item_roots`` unread, 50 families (the reader's list and an app's page),
  over every subscription and for one source;
- all page: ``item_roots`` of every state, 50 families;
- unread counts: ``unread_counts`` (per source, per folder, total: the sidebar and the
  Reader API's unread-count);
- unread ids: 10,000 unread item ids with their stable ids (``item_roots`` +
  ``first_members``), what NetNewsWire asks on every sync;
- mark all read: one source's unread families (rolled back after each run);
- mark one read: one family read, as a click or an app's edit-tag (rolled back);
- store step: filing one newly stored family for its source's followers (what the store
  stage adds per page; rolled back).

The desk is written straight to the database, then every account's unread rows are filed
at once (``reading.file_everything``, what migration 0017 and ``doctor --repair`` do).

    python benchmarks/reading_state.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from wirebrief.storage import articles as article_store
from wirebrief.storage import reading
from wirebrief.storage.db import Database
from wirebrief.storage.models import (
    Article,
    ReadingState,
    Source,
    Subscription,
    User,
)
from wirebrief.storage.reading import Scope, View

SEED = 20261207
SOURCES = 40
START = datetime(2025, 1, 1, tzinfo=UTC)
RUNS = 5
SIZE_PROBE = 9_999  # an article every desk has


def _article(n: int, source_id: int, published: datetime) -> dict:
    return {
        "id": n, "url": f"https://s.example/{n}", "title": f"Article {n}", "text": "t",
        "html": "<p>t</p>", "content_hash": f"{n:064x}", "source_id": source_id,
        "published_at": published, "fetched_at": published, "updated_at": published,
        "duplicate_of": None, "hidden": False, "reading_minutes": 1,
    }  # fmt: skip


def _insert(session, model: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), 5000):
        session.execute(insert(model), rows[start : start + 5000])


def build(db: Database, size: int) -> int:
    """The desk and the account; returns the account's id."""
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    with db.session() as session:
        _insert(session, Source, [
            {"url": f"https://s{n}.example/feed", "name": f"Source {n}", "created_at": now}
            for n in range(1, SOURCES + 1)
        ])  # fmt: skip
        rows: list[dict] = []
        for n in range(1, size + 1):
            published = START + timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
            row = _article(n, rng.randrange(1, SOURCES + 1), published)
            kind = rng.random()
            if n > 10 and kind < 0.3:  # a copy points at its family's origin
                copy_of = rng.randrange(1, n)
                root = rows[copy_of - 1]["duplicate_of"] or copy_of
                row["duplicate_of"] = root
                if kind < 0.1:  # an exact copy: the origin's text on a mirror site
                    row["url"] = f"https://mirror.example/{n}"
                    row["content_hash"] = rows[root - 1]["content_hash"]
            rows.append(row)
        _insert(session, Article, rows)
        user = User(name="bench", role="reader", password_hash="-", created_at=now, updated_at=now)
        session.add(user)
        session.flush()
        _insert(session, Subscription, [
            {"user_id": user.id, "source_id": n, "created_at": now} for n in range(1, SOURCES + 1)
        ])  # fmt: skip
        _insert(session, ReadingState, [
            {"user_id": user.id, "article_id": row["id"], "read": True,
             "starred": rng.random() < 0.017, "read_changed_at": now}
            for row in rows if rng.random() < 0.6
        ])  # fmt: skip
        started = time.perf_counter()
        reading.file_everything(session)
        print(f"  unread rows filed for the whole desk in {time.perf_counter() - started:.1f} s")
        return user.id


def measure(db: Database, step: Callable, rollback: bool = False) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of ``step(session)`` over RUNS runs."""
    walls, cpus = [], []
    for run in range(RUNS + 1):
        with db.engine.connect() as connection:
            session = Session(connection)
            wall, cpu = time.perf_counter(), time.process_time()
            step(session)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if rollback:
                session.rollback()
            session.close()
        if run:  # the first run warms the page cache
            walls.append(wall * 1000)
            cpus.append(cpu * 1000)
    return statistics.median(walls), statistics.median(cpus)


def steps(user_id: int) -> dict[str, Callable]:
    """What is measured, each a function of a session."""

    def user(session) -> User:
        return session.get(User, user_id)

    def unread_ids(session) -> dict[int, int]:
        refs = reading.item_roots(session, user(session), View.UNREAD, limit=10_000)
        return reading.first_members(session, [r.root_id for r in refs])

    def store_step(session) -> None:
        newest = session.scalar(select(Article.id).order_by(Article.id.desc()).limit(1))
        session.execute(insert(Article), [_article(newest + 1, 7, datetime.now(UTC))])
        reading.file_families(session, [newest + 1])

    return {
        "unread page (50)": lambda s: reading.item_roots(s, user(s), View.UNREAD, limit=50),
        "one source's unread (50)": lambda s: reading.item_roots(
            s, user(s), View.UNREAD, Scope(source_id=7), limit=50
        ),
        "all page (50)": lambda s: reading.item_roots(s, user(s), View.ALL, limit=50),
        "unread counts": lambda s: reading.unread_counts(s, user(s)),
        "unread ids (10,000)": unread_ids,
        "mark one source read": lambda s: reading.mark_all_read(s, user(s), Scope(source_id=7)),
        "mark one read": lambda s: reading.mark_read(s, user(s), [SIZE_PROBE]),
        "store step (one page)": store_step,
    }


def report(db: Database, user_id: int, built: float) -> None:
    """Each step's figures beside the anchor's, measured in the same run."""
    anchor = measure(db, lambda s: article_store.list_articles(s, limit=50))
    with db.session() as session:
        roots = select(Article.id).where(Article.duplicate_of.is_(None))
        families = len(session.scalars(roots).all())
        unread = reading.unread_counts(session, session.get(User, user_id)).total
    print(f"\n{families:,} families, {unread:,} unread (built in {built:.1f} s)")
    print(f"  {'anchor: newest 50 articles':<28} {anchor[0]:8.1f} ms wall {anchor[1]:8.1f} ms CPU")
    for name, step in steps(user_id).items():
        wall, cpu = measure(db, step, rollback=name.startswith(("mark", "store")))
        print(f"  {name:<28} {wall:8.1f} ms wall {cpu:8.1f} ms CPU   "
              f"{wall / anchor[0]:6.1f}x the anchor")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"# reading state, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {load[0]:.1f} "
          f"{load[1]:.1f} {load[2]:.1f}, Python {sys.version.split()[0]}")  # fmt: skip
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
            db.upgrade()
            print(f"\n## {size:,} articles")
            started = time.perf_counter()
            user_id = build(db, size)
            built = time.perf_counter() - started

            report(db, user_id, built)
            db.dispose()


if __name__ == "__main__":
    main()
