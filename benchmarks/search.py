"""Search and related-articles benchmark: index size and build time, query and related latency.

Articles are made by recombining real paragraphs, read in place from
``../shared/data/public-news/doj-press-releases/`` (4,899 U.S. DOJ press releases, public
domain; nothing is copied into the repository): each article takes a real headline and
4 to 8 paragraphs drawn from the whole corpus, a time within two years, one of 40
sources and, for one in five, one or two of 12 assets. One article in five belongs to a
story of 2 to 4 articles, a third of those near copies (``duplicate_of``): results collapse.

For each size (``--sizes 10000,100000``), into a fresh SQLite file:

- build: bulk insert, then the FTS5 index (``rebuild``) and the related-articles postings
  (one term vector per article): the time of each and the database size, per table;
- search: 50 fixed queries (rare and common words, phrases, prefixes, OR, exclusions,
  filters, sort by time, filters only) through ``search.service.search``, limit 20, three
  runs each after a warm-up: p50, p95 and the slowest query;
- related: for 200 articles stored after the corpus, the store-time cost (index the
  article and compute its related stories, ``search.indexing.index_article``) and the
  serve-time cost (``related_for``, what the article page runs).

Every latency is reported twice: wall-clock, and the CPU time of the benchmark's process
(``time.process_time``), which is what one dedicated core would take when the machine is
shared (SQLite runs in-process; after the warm-up the database is in the page cache).

    python benchmarks/search.py --sizes 10000,100000 [--keep DIR [--measure-only]]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from wirebrief.search.backend import SearchFilters
from wirebrief.search.indexing import index_article
from wirebrief.search.related import related_for
from wirebrief.search.service import search
from wirebrief.search.sqlite_fts import SqliteFtsBackend
from wirebrief.search.terms import term_vector
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, ArticleAsset, ArticleTerm, Asset, Source, Story

DATA = (Path(__file__).resolve().parents[1] / ".." / "shared" / "data").resolve()
RELEASES = DATA / "public-news" / "doj-press-releases" / "releases_2015-2018.jsonl.gz"
SEED = 20261126
SOURCES = 40
ASSETS = ("BTC", "ETH", "SOL", "XRP", "GOLD", "SILVER", "NVDA", "TSLA", "AAPL", "SPX", "OIL", "EUR")
START = datetime(2016, 1, 1, tzinfo=UTC)
SPAN_DAYS = 730
BATCH = 5000
RELATED_SAMPLE = 200

W = SearchFilters
# The fixed query set: (query, filters, sort). Common and rare words, phrases, prefixes,
# OR, exclusions, filters, time order, filters without words.
QUERIES: list[tuple[str, SearchFilters, str]] = [
    ("fraud", W(), "relevance"),
    ("sentenced", W(), "relevance"),
    ("attorney", W(), "relevance"),
    ("tax", W(), "relevance"),
    ("medicare", W(), "relevance"),
    ("bitcoin", W(), "relevance"),
    ("cryptocurrency", W(), "relevance"),
    ("ransomware", W(), "relevance"),
    ("wildlife", W(), "relevance"),
    ("counterfeit", W(), "relevance"),
    ("antitrust", W(), "relevance"),
    ("extradited", W(), "relevance"),
    ("opioid", W(), "relevance"),
    ("cartel", W(), "relevance"),
    ("hacker", W(), "relevance"),
    ('"health care fraud"', W(), "relevance"),
    ('"pleaded guilty"', W(), "relevance"),
    ('"false claims act"', W(), "relevance"),
    ('"civil rights division"', W(), "relevance"),
    ('"money laundering"', W(), "relevance"),
    ('"identity theft"', W(), "relevance"),
    ('"federal bureau of investigation"', W(), "relevance"),
    ("indict*", W(), "relevance"),
    ("launder*", W(), "relevance"),
    ("pharma*", W(), "relevance"),
    ("cocaine OR heroin", W(), "relevance"),
    ("bitcoin OR cryptocurrency", W(), "relevance"),
    ("fraud -medicare", W(), "relevance"),
    ("tax -refund", W(), "relevance"),
    ("bank fraud conspiracy", W(), "relevance"),
    ("drug trafficking sentenced prison", W(), "relevance"),
    ("environmental settlement clean water", W(), "relevance"),
    ("fraud", W(assets=("BTC",)), "relevance"),
    ("sentenced", W(assets=("GOLD", "OIL")), "relevance"),
    ("fraud", W(sources=(3,)), "relevance"),
    ("tax", W(sources=(1, 2, 3, 4, 5)), "relevance"),
    ("fraud", W(since=START + timedelta(days=300), until=START + timedelta(days=330)), "relevance"),
    ("bitcoin", W(since=START + timedelta(days=365)), "relevance"),
    ("fraud", W(lang="en"), "relevance"),
    ("fraud", W(), "time"),
    ("sentenced", W(), "time"),
    ('"pleaded guilty"', W(), "time"),
    ("medicare", W(), "time"),
    ("tax", W(assets=("ETH",)), "time"),
    ("", W(assets=("BTC",)), "time"),
    ("", W(sources=(7,)), "time"),
    ("", W(since=START + timedelta(days=700)), "time"),
    ("immigration", W(), "relevance"),
    ("firearms", W(), "relevance"),
    ("securities fraud investors", W(), "relevance"),
]
assert len(QUERIES) == 50


# ── the corpus ───────────────────────────────────────────────────────────────


def real_text() -> tuple[list[str], list[str]]:
    """Headlines and paragraphs of the DOJ releases, read in place."""
    titles, paragraphs = [], []
    with gzip.open(RELEASES, "rt", encoding="utf-8") as lines:
        for line in lines:
            release = json.loads(line)
            titles.append(release["title"])
            paragraphs.extend(p for p in release["text"].split("\n\n") if len(p.split()) >= 8)
    return titles, paragraphs


def generate(n: int, titles: list[str], paragraphs: list[str], first_id: int = 1) -> Iterator[dict]:
    """``n`` article rows (ids from ``first_id``) recombined from real headlines and paragraphs."""
    rng = random.Random(SEED + first_id)
    for i in range(first_id, first_id + n):
        body = "\n\n".join(rng.choice(paragraphs) for _ in range(rng.randint(4, 8)))
        when = START + timedelta(minutes=rng.randrange(SPAN_DAYS * 24 * 60))
        yield {
            "id": i, "url": f"https://bench.example/{i}", "title": rng.choice(titles),
            "text": body, "html": "", "content_hash": f"{i:064x}", "lang": "en",
            "source_id": rng.randint(1, SOURCES), "published_at": when, "fetched_at": when,
            "updated_at": when, "reading_minutes": 2, "hidden": False,
        }  # fmt: skip


def build(db: Database, n: int, titles: list[str], paragraphs: list[str], timings: Report) -> None:
    """Fill the database with ``n`` articles, noting the time of each build step."""
    rng = random.Random(SEED)
    started = time.perf_counter()
    insert_sources_and_assets(db)
    rows: list[dict] = []
    for row in generate(n, titles, paragraphs):
        rows.append(row)
        if len(rows) == BATCH:
            _insert_batch(db, rows, rng)
            rows = []
    if rows:
        _insert_batch(db, rows, rng)
    timings["insert articles (s)"] = time.perf_counter() - started

    started = time.perf_counter()
    with db.session() as session:
        SqliteFtsBackend().rebuild(session)
    timings["FTS5 index build (s)"] = time.perf_counter() - started

    started = time.perf_counter()
    build_postings(db, n)
    timings["related postings, 2 processes (s)"] = time.perf_counter() - started


def insert_sources_and_assets(db: Database) -> None:
    """The corpus's 40 sources and 12 assets."""
    with db.session() as session:
        session.execute(insert(Source), [
            {"id": s, "url": f"https://source{s}.example/feed", "name": f"Source {s}",
             "kind": "feed", "is_demo": False, "enabled": True, "blocked": False,
             "fetch_pages": True, "consecutive_failures": 0, "created_at": START}
            for s in range(1, SOURCES + 1)
        ])  # fmt: skip
        session.execute(insert(Asset), [
            {"id": k, "symbol": s, "name": s.title(), "kind": "crypto"}
            for k, s in enumerate(ASSETS, 1)
        ])  # fmt: skip


def build_postings(
    db: Database, n: int, on_batch: Callable[[int], None] | None = None, from_id: int = 1
) -> None:
    """The related-articles postings (one term vector per article) of articles ``from_id`` to
    ``n``, computed by 2 processes; ``on_batch`` is told how many articles each batch did."""
    with ProcessPoolExecutor(2) as pool:
        for first in range(from_id, n + 1, BATCH):
            ids = list(range(first, min(first + BATCH, n + 1)))
            with db.session() as session:
                found = session.execute(
                    select(Article.id, Article.title, Article.text).where(Article.id.in_(ids))
                ).all()
            args = [(row.title, row.text) for row in found]
            vectors = list(pool.map(_vector, args, chunksize=200))
            with db.session() as session:
                session.execute(insert(ArticleTerm), [
                    {"article_id": row.id, "term": term, "weight": weight}
                    for row, vector in zip(found, vectors, strict=True)
                    for term, weight in vector.items()
                ])  # fmt: skip
            if on_batch is not None:
                on_batch(len(ids))


def _vector(args: tuple[str, str]) -> dict[int, float]:
    return term_vector(args[0], args[1], "", "en")


def _insert_batch(db: Database, rows: list[dict], rng: random.Random) -> None:
    """Insert articles, group a quarter of them into stories, link a fifth to assets."""
    with db.session() as session:
        session.execute(insert(Article), rows)
        links = []
        for row in rows:
            if rng.random() < 0.2:
                for asset_id in rng.sample(range(1, len(ASSETS) + 1), rng.randint(1, 2)):
                    links.append({"article_id": row["id"], "asset_id": asset_id, "score": 1.0})
        if links:
            session.execute(insert(ArticleAsset), links)
        i = 0
        while i < len(rows):
            if rng.random() < 0.25 / 3:  # about a quarter of articles end up in a story
                members = rows[i : i + rng.randint(2, 4)]
                story = Story(headline=members[0]["title"][:500], first_seen_at=START,
                              last_seen_at=START, updated_at=START,
                              article_count=len(members), source_count=len(members))  # fmt: skip
                session.add(story)
                session.flush()
                for k, member in enumerate(members):
                    values = {"story_id": story.id}
                    if k and rng.random() < 0.5:
                        values["duplicate_of"] = members[0]["id"]
                    session.execute(
                        Article.__table__.update().where(Article.id == member["id"]).values(values)
                    )
                i += len(members)
            else:
                i += 1


# ── measurements ─────────────────────────────────────────────────────────────


def sizes(db: Database, path: Path) -> dict[str, float]:
    """Database size (MB), and the share of the search index and related postings."""
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = dict(
            connection.execute(text("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name")).all()
        )
    mb = 1024 * 1024
    fts = sum(size for name, size in pages.items() if name.startswith("search_fts"))
    terms = sum(size for name, size in pages.items() if "article_terms" in name)
    related = sum(size for name, size in pages.items() if "related_articles" in name)
    return {
        "database (MB)": path.stat().st_size / mb,
        "of which FTS5 index (MB)": fts / mb,
        "of which related postings (MB)": terms / mb,
        "of which related lists (MB)": related / mb,
    }


class Clock:
    """Wall-clock and process CPU time of a block, in milliseconds."""

    def __enter__(self) -> Clock:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = (time.perf_counter() - self._wall) * 1000
        self.cpu = (time.process_time() - self._cpu) * 1000


def time_queries(db: Database, runs: int = 3) -> tuple[list[Clock], list[tuple[float, str]]]:
    """Every run of every query, and each query's median wall-clock time (ms)."""
    samples: list[Clock] = []
    per_query: list[tuple[float, str]] = []
    with db.session() as session:
        for query, filters, sort in QUERIES:
            search(session, query, filters, sort=sort, limit=20)  # warm-up
            mine = []
            for _ in range(runs):
                with Clock() as clock:
                    search(session, query, filters, sort=sort, limit=20)
                mine.append(clock)
            samples.extend(mine)
            label = f"{query or '(filters only)'} {_describe(filters)} sort={sort}".strip()
            per_query.append((round(statistics.median(c.wall for c in mine), 1), label))
    return samples, per_query


def time_related(
    db: Database, first_id: int, titles: list[str], paragraphs: list[str]
) -> tuple[list[Clock], list[Clock]]:
    """Store-time cost (index + related) of new articles, then their serve-time cost."""
    store: list[Clock] = []
    serve: list[Clock] = []
    new_ids = []
    for row in generate(RELATED_SAMPLE, titles, paragraphs, first_id=first_id):
        with db.session() as session:
            session.execute(insert(Article), [row])
            article = session.get(Article, row["id"])
            with Clock() as clock:
                index_article(session, article)
                session.flush()
            store.append(clock)
        new_ids.append(row["id"])
    with db.session() as session:
        for article_id in new_ids:
            article = session.get(Article, article_id)
            with Clock() as clock:
                related_for(session, article)
            serve.append(clock)
    return store, serve


def spread(clocks: list[Clock]) -> str:
    """'p50 / p95 ms wall-clock (p50 / p95 CPU)'."""
    wall = [c.wall for c in clocks]
    cpu = [c.cpu for c in clocks]
    return (
        f"{percentile(wall, 50):.1f} / {percentile(wall, 95):.1f} wall "
        f"({percentile(cpu, 50):.1f} / {percentile(cpu, 95):.1f} CPU)"
    )


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def _describe(filters: SearchFilters) -> str:
    parts = []
    for name in ("sources", "assets", "lang", "since", "until"):
        value = getattr(filters, name)
        if value:
            shown = value.date().isoformat() if isinstance(value, datetime) else value
            parts.append(f"{name}={shown}")
    return " ".join(parts)


class Report(dict):
    """The figures of one size, each printed as soon as it is known (a long run that is
    stopped still leaves what it measured)."""

    def __setitem__(self, key: str, value: object) -> None:
        super().__setitem__(key, value)
        shown = f"{value:.1f}" if isinstance(value, float) else value
        print(f"  {key}: {shown}", flush=True)


def run_size(
    n: int, titles: list[str], paragraphs: list[str], workdir: Path, *, build_first: bool = True
) -> dict:
    """Every measurement for one corpus size (on the database an earlier run built, when
    ``build_first`` is false)."""
    path = workdir / f"search-{n}.db"
    if build_first:
        path.unlink(missing_ok=True)
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    report = Report(articles=n)
    if build_first:
        build(db, n, titles, paragraphs, report)
    for key, value in sizes(db, path).items():
        report[key] = value
    samples, per_query = time_queries(db)
    report["search p50 / p95 (ms)"] = spread(samples)
    report["slowest queries (median ms wall)"] = sorted(per_query, reverse=True)[:5]
    with db.session() as session:
        first_new = (session.scalar(select(func.max(Article.id))) or 0) + 1
    store, serve = time_related(db, first_new, titles, paragraphs)
    report["store: index + related p50 / p95 (ms)"] = spread(store)
    report["serve: related p50 / p95 (ms)"] = spread(serve)
    report["load average at the end"] = os.getloadavg()
    with db.session() as session:
        report["stories in a result page"] = _collapsed(session)
    db.dispose()
    return report


def _collapsed(session) -> str:
    """A check that copies collapse: results of a common query vs their distinct stories."""
    page = search(session, "sentenced", limit=20)
    keys = {r.article.story_id or -(r.article.duplicate_of or r.article.id) for r in page.results}
    return f"{len(keys)} of {len(page.results)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="Comma-separated article counts.")
    parser.add_argument("--keep", type=Path, help="Write the databases here and keep them.")
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="With --keep: measure again on the databases an earlier run built there.",
    )
    args = parser.parse_args(argv)
    if not RELEASES.exists():
        print(f"missing {RELEASES}: the benchmark reads ../shared/data in place", file=sys.stderr)
        return 2
    if args.measure_only and args.keep is None:
        parser.error("--measure-only needs --keep DIR, where an earlier run left its databases")
    titles, paragraphs = real_text()
    print(f"corpus: {len(titles)} headlines, {len(paragraphs)} paragraphs from {RELEASES.name}")
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="wirebrief-search-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for n in (int(size) for size in args.sizes.split(",")):
            print(f"{n:,} articles", flush=True)
            report = run_size(n, titles, paragraphs, workdir, build_first=not args.measure_only)
            print(json.dumps(report, default=str), flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
