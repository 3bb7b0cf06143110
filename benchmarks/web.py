"""Web benchmark: the reader's pages and API under many concurrent connections (wrk).

    python benchmarks/web.py --db sqlite:///var/wirebrief.db          # the demo's database
    python benchmarks/web.py --db sqlite:///var/web-1m.db --before /tmp/before
    python benchmarks/web.py --db URL --connections 1 --routes home,story   # one client
    python benchmarks/web.py --db URL --serve-args='' --serve-args='--workers 2'
    python benchmarks/web.py --build-corpus 1000000 --corpus var/web-1m.db

The server (`wirebrief serve` of this checkout, and with --before another checkout's code
served the way `wirebrief serve` did before issue 19) runs in its own process group; the
load generator is wrk (`/usr/bin/wrk`, Debian's package), one thread, keep-alive, asking
for gzip like a browser. Every route is loaded on every server in turn, the servers'
order alternating by round, so a figure and its anchor share the machine's load. Paths are
drawn from the whole database (400 articles and stories at random, 50 title words to
search for). Printed per run: req/s, latency percentiles, status counts, wrk's socket
errors, the server's CPU per request (all its processes) and the load average. Both
servers get the demo's sample price series, so article pages show the market widget.

Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import search
from sqlalchemy import bindparam, create_engine, insert, text

from wirebrief.demo.prices import write_sample_prices
from wirebrief.search.sqlite_fts import SqliteFtsBackend
from wirebrief.storage.db import Database
from wirebrief.storage.models import (
    Article,
    ArticleAsset,
    RelatedArticle,
    Story,
)

SEED = 20261207
BIG_STORY = 2000  # one story of this many articles, the newest: a big event's timeline
STORY_SHARE = 0.25  # articles in stories of 2 to 4 (the rest are stories of their own)
COPY_SHARE = 0.5  # of a story's later members, near copies of its first
RELATED_STORED = 10  # search.related.STORED
# Postings for the newest articles only: a new article reads the newest 100 postings of each
# of its terms (search.related.POSTINGS_PER_TERM), so older ones are never read.
POSTINGS_NEWEST = 100_000


# ── the corpus: every article in a story, as the store stage leaves it ──


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.replace("\n\n", " ")) if s]


def _page_fields(row: dict) -> dict:
    """What the pipeline adds to an article's row: sanitized HTML, TLDR, description."""
    paragraphs = row["text"].split("\n\n")
    sentences = _sentences(row["text"])
    words = len(row["text"].split())
    return {
        "html": "".join(f"<p>{escape(p)}</p>" for p in paragraphs),
        "description": paragraphs[0][:300],
        "canonical_url": row["url"],
        "reading_minutes": max(1, round(words / 230)),
        "tldr_headline": " ".join(sentences[0].split()[:24]) if sentences else None,
        "tldr_bullets": sentences[1:4] or None,
        "tldr_method": "extractive",
    }


class StoryPlan:
    """Which articles share a story: a big story of the ``BIG_STORY`` newest ids, a quarter
    of the rest in stories of 2 to 4 consecutive ids, every other article alone."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.big_first = max(1, n - BIG_STORY + 1) if n > 10 * BIG_STORY else n + 1
        self._rng = random.Random(SEED)
        self._left = 0  # members still to place in the current story
        self._story = 0
        self._first: dict | None = None

    def place(self, row: dict) -> tuple[dict | None, dict]:
        """Fill ``row``'s story (and copy) fields; a new story's row when it starts one."""
        rng = self._rng
        if row["id"] >= self.big_first:
            if row["id"] == self.big_first:  # the newest story: on top of the home page
                when = search.START + timedelta(days=search.SPAN_DAYS - 3)
                row["published_at"] = row["fetched_at"] = row["updated_at"] = when
                self._story += 1
                self._first = row
                self._left = 0
                return self._new_story(row, BIG_STORY), row
            return None, self._join(row, spread=timedelta(days=3))
        if self._left:
            self._left -= 1
            return None, self._join(row, spread=timedelta(hours=6))
        self._story += 1
        self._first = row
        size = rng.randint(2, 4) if rng.random() < STORY_SHARE / 3 else 1
        self._left = size - 1
        row["story_id"] = self._story
        return self._new_story(row, size), row

    def _join(self, row: dict, spread: timedelta) -> dict:
        assert self._first is not None
        first = self._first
        row["story_id"] = self._story
        when = first["published_at"] + spread * self._rng.random()
        row["published_at"] = row["fetched_at"] = row["updated_at"] = when
        if self._rng.random() < COPY_SHARE:
            row["duplicate_of"] = first["id"]
            row["text"], row["title"] = first["text"], first["title"]
        return row

    def _new_story(self, first: dict, size: int) -> dict:
        first["story_id"] = self._story
        return {
            "id": self._story, "headline": first["title"][:500],
            "first_seen_at": first["published_at"], "last_seen_at": first["published_at"],
            "updated_at": first["published_at"], "representative_article_id": first["id"],
            "article_count": size, "source_count": size,
        }  # fmt: skip


def build_corpus(db: Database, n: int, log=print) -> None:
    """``n`` articles recombined from the DOJ releases (``search.generate``), each with its
    HTML, TLDR and story, as the store stage writes them; asset links, the search
    index, the related postings of the newest ``POSTINGS_NEWEST`` and a related list of
    ``RELATED_STORED`` per article."""
    titles, paragraphs = search.real_text()
    db.upgrade()
    search.insert_sources_and_assets(db)
    plan = StoryPlan(n)
    rng = random.Random(SEED + 1)
    started = time.perf_counter()
    stories: list[dict] = []
    rows: list[dict] = []
    for row in search.generate(n, titles, paragraphs):
        row["story_id"] = row["duplicate_of"] = None
        story, row = plan.place(row)
        if story is not None:
            stories.append(story)
        row.update(_page_fields(row))
        rows.append(row)
        if len(rows) == search.BATCH:
            _insert(db, stories, rows, rng)
            stories, rows = [], []
            if row["id"] % 50_000 == 0:
                log(f"  articles: {row['id']:,} of {n:,} ({time.perf_counter() - started:.0f} s)")
    _insert(db, stories, rows, rng)
    with db.session() as session:  # a story's members are placed after it is written
        session.execute(text(
            "UPDATE stories SET last_seen_at = (SELECT max(published_at) FROM articles "
            "WHERE articles.story_id = stories.id) WHERE article_count > 1"
        ))  # fmt: skip
    log(f"articles and stories: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    with db.session() as session:
        SqliteFtsBackend().rebuild(session)
    log(f"search index: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    _related_lists(db, n, plan, rng)
    log(f"related lists: {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    done = 0

    def progress(batch: int) -> None:
        nonlocal done
        done += batch
        if done % 50_000 < search.BATCH:
            log(f"  postings: {done:,} of {n:,} ({time.perf_counter() - started:.0f} s)")

    search.build_postings(db, n, progress, from_id=max(1, n - POSTINGS_NEWEST + 1))
    log(f"related postings: {time.perf_counter() - started:.0f} s")
    with db.engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _insert(db: Database, stories: list[dict], rows: list[dict], rng: random.Random) -> None:
    if not rows:
        return
    with db.session() as session:
        if stories:
            session.execute(insert(Story), stories)
        session.execute(insert(Article), rows)
        links = [
            {"article_id": row["id"], "asset_id": asset_id, "score": 1.0, "role": "about"}
            for row in rows
            if rng.random() < 0.2
            for asset_id in rng.sample(range(1, len(search.ASSETS) + 1), rng.randint(1, 2))
        ]
        if links:
            session.execute(insert(ArticleAsset), links)


def _related_lists(db: Database, n: int, plan: StoryPlan, rng: random.Random) -> None:
    """``RELATED_STORED`` related articles per article, at fixed random distances (what the
    article page reads back; the choice and scores are made up, the rows are what it costs)."""
    steps = rng.sample(range(1, n - 1), RELATED_STORED)  # distinct, never back to itself
    for first in range(1, n + 1, search.BATCH):
        rows = [
            {"article_id": article_id, "related_id": (article_id + step) % n + 1,
             "score": round(0.9 - rank * 0.05, 3)}
            for article_id in range(first, min(first + search.BATCH, n + 1))
            for rank, step in enumerate(steps)
        ]  # fmt: skip
        with db.session() as session:
            session.execute(insert(RelatedArticle), rows)


# ── the load: wrk against a server in its own process ──

WRK = "/usr/bin/wrk"
LOOPBACK = "127.0.0.1"
# Per thread: paths read from a file, taken in turn from a thread's own starting point;
# status codes counted; done() prints one JSON line with the figures wrk measured.
WRK_SCRIPT = r"""
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  paths, n, statuses = {}, 0, {}
  for line in io.lines(os.getenv("WEB_BENCH_PATHS")) do
    n = n + 1
    paths[n] = line
  end
  i = (id * 7919) % n
  if os.getenv("WEB_BENCH_GZIP") == "1" then wrk.headers["Accept-Encoding"] = "gzip" end
end
function request()
  i = i % n + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(threads) do
    for code, count in pairs(thread:get("statuses")) do
      parts[code] = (parts[code] or 0) + count
    end
  end
  local codes = {}
  for code, count in pairs(parts) do table.insert(codes, string.format('"%d": %d', code, count)) end
  local e = summary.errors
  io.write(string.format(
    'WEB_BENCH {"requests": %d, "duration_s": %.3f, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"p50_ms": %.2f, "p90_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    table.concat(codes, ", ")))
end
"""


@dataclass(frozen=True)
class Server:
    """How to start one web server: a name for the report, its command line, its settings."""

    name: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


# What `wirebrief serve` ran before issue 19: create_app in one uvicorn process. Started with
# PYTHONPATH set to an older checkout's src/, it serves that checkout's code.
ONE_PROCESS = """
import sys, uvicorn
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app
settings = Settings.from_env()
app = create_app(settings, Database(settings.database_url))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def current_server(*serve_args: str) -> Server:
    """``wirebrief serve`` of this checkout, with ``serve_args``."""
    label = " ".join(("serve", *serve_args))
    return Server(label, (sys.executable, "-m", "wirebrief", "serve", *serve_args))


def checkout_server(checkout: Path, label: str) -> Server:
    """The code of another checkout (e.g. ``git worktree add /tmp/before main``), served the
    way `wirebrief serve` did before issue 19."""
    src = (checkout / "src").resolve()
    if not (src / "wirebrief").is_dir():
        raise SystemExit(f"{checkout} has no src/wirebrief: give the root of a Wirebrief checkout")
    return Server(label, (sys.executable, "-c", ONE_PROCESS), (("PYTHONPATH", str(src)),))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def server_env(database_url: str, server: Server, prices: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        WIREBRIEF_DATABASE_URL=database_url,
        WIREBRIEF_PRICE_PROVIDERS="files",  # what `wirebrief demo` serves: its sample series
        WIREBRIEF_PRICES_DIR=str(prices),
        WIREBRIEF_ALLOW_PRIVATE_NETWORKS=f"{LOOPBACK}/32",
        WIREBRIEF_PER_HOST_DELAY="0",
        WIREBRIEF_RESPECT_ROBOTS_TXT="false",
        NO_COLOR="1",
    )
    env.update(dict(server.env))
    return env


class Running:
    """A started server: its base URL and the CPU time its processes have used."""

    def __init__(self, server: Server, database_url: str, prices: Path) -> None:
        self.port = free_port()
        argv = [*server.argv, str(self.port)] if "-c" in server.argv else [
            *server.argv, "--port", str(self.port)]  # fmt: skip
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (kept open while it runs)
        self.process = subprocess.Popen(
            argv,
            env=server_env(database_url, server, prices),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: workers are stopped with it
        )
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        deadline = time.monotonic() + 120
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{server.name} did not start on port {self.port}")
            time.sleep(0.3)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=5) as answer:
                return answer.status == 200
        except OSError:
            return False

    def cpu_s(self) -> float:
        """User and system CPU of the server and every process it started (workers)."""
        return _tree_cpu_s(self.process.pid)

    def errors(self) -> str:
        """The end of what the server printed (tracebacks of 500s, warnings)."""
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-3000:]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _tree_cpu_s(root: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, total, grew = {root}, 0, True
    while grew:
        more = {pid for pid, (parent, _) in stats.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    total = sum(stats[pid][1] for pid in tree if pid in stats)
    return total / ticks


def wrk(base_url: str, paths: list[str], connections: int, seconds: float,
        gzip: bool = True) -> dict:  # fmt: skip
    """One wrk run over ``paths`` (taken in turn); its figures as a dict."""
    with tempfile.TemporaryDirectory(prefix="wirebrief-web-bench-") as tmp:
        script, listing = Path(tmp) / "paths.lua", Path(tmp) / "paths.txt"
        script.write_text(WRK_SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        env = dict(os.environ, WEB_BENCH_PATHS=str(listing), WEB_BENCH_GZIP="1" if gzip else "0")
        command = [WRK, "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
                   "-s", str(script), base_url]  # fmt: skip
        out = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60)
    for line in out.stdout.splitlines():
        if line.startswith("WEB_BENCH "):
            figures = json.loads(line.removeprefix("WEB_BENCH "))
            figures["req_per_s"] = round(figures["requests"] / figures["duration_s"], 1)
            return figures
    raise RuntimeError(f"wrk gave no figures:\n{out.stdout}\n{out.stderr}")


# ── what is requested ──

ROUTES = ("home", "article", "story", "search", "api")


def route_paths(database_url: str, count: int = 400) -> dict[str, list[str]]:
    """Paths per route, drawn from the whole database: ``count`` visible articles and stories
    at random, words of their titles to search for; the home page and ``/api/articles``."""
    engine = create_engine(database_url)
    rng = random.Random(SEED)
    with engine.connect() as connection:
        top = connection.scalar(text("SELECT max(id) FROM articles")) or 0
        articles = _existing(connection, "articles", "hidden = false", rng, top, count)
        top_story = connection.scalar(text("SELECT max(id) FROM stories")) or 0
        stories = _existing(connection, "stories", "article_count > 0", rng, top_story, count)
        titles = connection.execute(
            text("SELECT title FROM articles WHERE id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": articles[:100] or [0]},
        ).scalars()
        words = sorted({w.lower() for t in titles for w in re.findall(r"[A-Za-z]{6,}", t)})
    engine.dispose()
    rng.shuffle(words)
    return {
        "home": ["/"],
        "article": [f"/articles/{i}" for i in articles],
        "story": [f"/stories/{i}" for i in stories],
        "search": [f"/search?q={w}" for w in words[:50]] or ["/search?q=market"],
        "api": ["/api/articles"],
    }


def _existing(connection, table: str, where: str, rng: random.Random, top: int, count: int):
    """Up to ``count`` ids of ``table`` drawn at random from 1 to ``top`` that meet ``where``."""
    if top == 0:
        return []
    drawn = rng.sample(range(1, top + 1), min(top, count * 3))
    found = set(
        connection.execute(
            text(f"SELECT id FROM {table} WHERE id IN :ids AND {where}").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": drawn},
        ).scalars()
    )
    return [i for i in drawn if i in found][:count]


# ── the run ──


def measure(
    servers: list[Running],
    names: list[str],
    paths: dict[str, list[str]],
    routes: list[str],
    *,
    connections: int,
    seconds: float,
    rounds: int,
    gzip: bool,
) -> list[dict]:
    """Every route on every server, interleaved (server order alternating by round)."""
    rows = []
    for turn in range(rounds):
        for route in routes:
            order = list(zip(servers, names, strict=True))
            if turn % 2:
                order.reverse()
            for running, name in order:
                if turn == 0:
                    wrk(running.base_url, paths[route], connections, min(3.0, seconds), gzip)
                cpu = running.cpu_s()
                figures = wrk(running.base_url, paths[route], connections, seconds, gzip)
                used = running.cpu_s() - cpu
                figures["server_cpu_ms_per_req"] = round(
                    used * 1000 / max(1, figures["requests"]), 2
                )
                figures["load"] = round(os.getloadavg()[0], 1)
                rows.append({"server": name, "route": route, "round": turn + 1,
                             "connections": connections, **figures})  # fmt: skip
                print(_row(rows[-1]), flush=True)
    return rows


HEADER = (
    "| server | route | conns | req/s | p50 ms | p90 ms | p99 ms | max ms | statuses | "
    "errors | server CPU ms/req | load |\n|---|---|---:|---:|---:|---:|---:|---:|---|---|---:|---:|"
)


def _row(row: dict) -> str:
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(row["statuses"].items()))
    errors = ", ".join(f"{k}: {v}" for k, v in row["errors"].items() if v) or "–"
    return (
        f"| {row['server']} | {row['route']} | {row['connections']} | {row['req_per_s']:,} | "
        f"{row['p50_ms']:.1f} | {row['p90_ms']:.1f} | {row['p99_ms']:.1f} | {row['max_ms']:.0f} | "
        f"{statuses} | {errors} | {row['server_cpu_ms_per_req']} | {row['load']} |"
    )


def versions() -> str:
    import sqlalchemy
    import starlette
    import uvicorn

    import wirebrief

    wrk_version = subprocess.run([WRK, "-v"], capture_output=True, text=True).stdout.split()[1]
    return (
        f"wirebrief {wirebrief.__version__}, Python {sys.version.split()[0]}, uvicorn "
        f"{uvicorn.__version__}, starlette {starlette.__version__}, SQLAlchemy "
        f"{sqlalchemy.__version__}, wrk {wrk_version}, {os.cpu_count()} cores"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="Database URL to serve (e.g. sqlite:///var/web-1m.db).")
    parser.add_argument("--build-corpus", type=int, metavar="N", help="Build an N-article corpus.")
    parser.add_argument("--corpus", type=Path, help="The corpus database file to build.")
    parser.add_argument("--routes", default=",".join(ROUTES), help="Routes to load, in order.")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds per wrk run.")
    parser.add_argument("--rounds", type=int, default=2, help="Runs of each route and server.")
    parser.add_argument("--no-gzip", action="store_true", help="Do not ask for gzip.")
    parser.add_argument(
        "--before", type=Path, help="Also serve this checkout's code, the old way (a baseline)."
    )
    parser.add_argument(
        "--serve-args",
        action="append",
        help="Options for this checkout's `wirebrief serve` (repeat to compare several, "
        "e.g. --serve-args='' --serve-args='--workers 2').",
    )
    parser.add_argument("--json", type=Path, help="Write every row here as JSON.")
    args = parser.parse_args(argv)
    if args.build_corpus:
        if args.corpus is None:
            parser.error("--build-corpus needs --corpus FILE")
        if args.corpus.exists():
            parser.error(f"{args.corpus} exists; remove it first")
        started = time.perf_counter()
        db = Database(f"sqlite:///{args.corpus}")
        build_corpus(db, args.build_corpus, log=lambda line: print(line, flush=True))
        db.dispose()
        print(f"built in {time.perf_counter() - started:.0f} s, load {os.getloadavg()}")
        return 0
    if not args.db:
        parser.error("give --db URL to measure (or --build-corpus N --corpus FILE)")
    if not (0 < args.duration <= 120 and 0 < args.connections <= 1000 and 0 < args.rounds <= 5):
        parser.error("--duration is at most 120 s, --connections 1000, --rounds 5")
    servers = [current_server(*options.split()) for options in args.serve_args or [""]]
    if args.before:
        servers.insert(0, checkout_server(args.before, f"before ({args.before.name})"))
    paths = route_paths(args.db)
    routes = [r for r in args.routes.split(",") if r]
    if unknown := set(routes) - set(ROUTES):
        parser.error(f"unknown routes {sorted(unknown)}; choose from {', '.join(ROUTES)}")
    prices = Path(tempfile.mkdtemp(prefix="wirebrief-web-bench-prices-"))
    write_sample_prices(prices)
    started: list[Running] = []
    try:
        for server in servers:
            started.append(Running(server, args.db, prices))
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {versions()}; load {load}; {args.db}")
        print(HEADER, flush=True)
        rows = measure(started, [s.name for s in servers], paths, routes,
                       connections=args.connections, seconds=args.duration,
                       rounds=args.rounds, gzip=not args.no_gzip)  # fmt: skip
    finally:
        for running in started:
            running.stop()
        shutil.rmtree(prices, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
