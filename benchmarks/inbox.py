"""What the inbox costs: queueing a poll's entries, and taking each out as it is stored.

Our figure, beside its anchor, measured in the same run on the same database:
- poll: queueing N listed entries in the poll's transaction (``inbox.queue``), against
  recording the poll alone (``sources.record_success``) — the transaction it joins;
- store: one page stored with its entry taken out of the inbox in the same transaction
  (``store_article`` + ``inbox.done``), against ``store_article`` alone, pages alternating
  between the two so that the corpus grows alike under both.

Pages are distinct generated articles (seeded word salad from wordfreq's list) through
the text stages; nothing is fetched. SQLite by default; ``--db postgresql://…`` for PostgreSQL (an
empty database: the schema is created, then the tables are emptied).

    python benchmarks/inbox.py [--pages 600] [--rounds 5] [--db URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time

import wordfreq

from wirebrief.feeds.parser import FeedEntry
from wirebrief.pipeline import process_text, store_article
from wirebrief.settings import Settings
from wirebrief.storage import inbox
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database

WORDS = [w for w in wordfreq.top_n_list("en", 3000)[150:] if w.isalpha() and len(w) > 3]


def page(n: int) -> tuple[FeedEntry, str]:
    """Entry and clean text of the ``n``-th article."""
    rng = random.Random(n)
    text = "\n\n".join(" ".join(rng.choices(WORDS, k=45)).capitalize() + "." for _ in range(3))
    url = f"https://wire.example/news/{n}"
    title = " ".join(rng.sample(WORDS, 5)).capitalize() + f" {n}"
    return FeedEntry(url, url, title, None, None, None, text[:200], ""), text


def measure(db: Database, settings: Settings, pages: int, rounds: int) -> dict[str, float]:
    with db.session() as session:
        source_id = source_store.add_source(session, "https://wire.example/feed.xml", "w").id
    items = [page(n) for n in range(pages)]
    listed = [(e.url, e.to_json()) for e, _ in items]
    record_s, queue_s = [], []
    for _ in range(rounds):  # alternate: the poll alone, then the poll with its queue
        with db.session() as session:
            source = source_store.get_source(session, source_id)
            started = time.perf_counter()
            source_store.record_success(source, status="ok", settings=settings)
            session.flush()
        record_s.append(time.perf_counter() - started)
        with db.session() as session:
            source = source_store.get_source(session, source_id)
            started = time.perf_counter()
            source_store.record_success(source, status="ok", settings=settings)
            inbox.queue(session, source_id, listed)
            session.flush()
        queue_s.append(time.perf_counter() - started)
    with db.session() as session:
        waiting = {p.entry["url"]: p.id for p in inbox.due(session, source_id)}
    alone_s, with_done_s = [], []
    for n, (listed_entry, text) in enumerate(items):
        draft = process_text(listed_entry.url, listed_entry.title, text, settings,
                             source_id=source_id)  # fmt: skip
        started = time.perf_counter()
        with db.session() as session:
            store_article(session, draft)
            if n % 2:
                inbox.done(session, waiting[listed_entry.url])
        (with_done_s if n % 2 else alone_s).append(time.perf_counter() - started)
    return {
        "entries": pages,
        "poll_ms": 1000 * statistics.median(record_s),
        "poll_and_queue_ms": 1000 * statistics.median(queue_s),
        "store_ms": 1000 * statistics.median(alone_s),
        "store_and_done_ms": 1000 * statistics.median(with_done_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", default=None, help="PostgreSQL URL (default: a SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wirebrief-inbox-") as folder:
        url = args.db or f"sqlite:///{folder}/bench.db"
        settings = Settings(database_url=url, extract_workers=0)
        db = Database(url)
        db.upgrade()
        try:
            figures = measure(db, settings, args.pages, args.rounds)
        finally:
            db.dispose()
    queue_per_entry = (figures["poll_and_queue_ms"] - figures["poll_ms"]) / figures["entries"]
    done = figures["store_and_done_ms"] - figures["store_ms"]
    print(f"engine: {url.split(':')[0]}, {figures['entries']} entries")
    print(f"poll transaction: {figures['poll_ms']:.2f} ms alone, "
          f"{figures['poll_and_queue_ms']:.2f} ms with its entries queued "
          f"({queue_per_entry:.3f} ms per entry)")  # fmt: skip
    print(
        f"store per page (median): {figures['store_ms']:.2f} ms alone, "
        f"{figures['store_and_done_ms']:.2f} ms with the entry taken out "
        f"({done:+.2f} ms, ratio {figures['store_and_done_ms'] / figures['store_ms']:.3f})"
    )


if __name__ == "__main__":
    main()
