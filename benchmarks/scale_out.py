"""Scale-out benchmark (not a test): the same local corpus ingested by SQLite + the
in-process scheduler, and by PostgreSQL + 1, 2 and 4 `wirebrief worker` processes.

    WIREBRIEF_TEST_POSTGRES_URL=postgresql://… python benchmarks/scale_out.py --feeds 20 --items 15

The corpus is generated and served on 127.0.0.1: FEEDS RSS feeds of ITEMS articles each,
every article a distinct ~600-word page. Prints items/s, the ratio to the single-process
run, queue latency p50/p95 (enqueued → started) and whole-machine CPU utilisation.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import create_engine, func, select, text

from wirebrief.jobs.app import ensure_schema, make_app
from wirebrief.jobs.operations import queue_metrics
from wirebrief.jobs.tasks import defer_poll
from wirebrief.pipeline import ingest_due
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

VOCABULARY = (
    "market bitcoin regulator exchange committee quarter analysts traders liquidity bond "
    "inflation central bank policy token ether stablecoin merger earnings guidance revenue "
    "supply chain shipping port freight harvest energy grid solar turbine battery lithium"
)
WORDS = VOCABULARY.split()


def page(feed: int, item: int) -> bytes:
    rng = random.Random(feed * 10_000 + item)
    title = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} report {feed}-{item}"
    paragraphs = "".join(
        "<p>" + " ".join(rng.choice(WORDS) for _ in range(60)) + ".</p>" for _ in range(10)
    )
    return (f"<!DOCTYPE html><html lang=en><head><title>{title}</title></head><body><article>"
            f"<h1>{title}</h1>{paragraphs}</article></body></html>").encode()  # fmt: skip


def serve(feeds: int, items: int) -> tuple[multiprocessing.Process, str]:
    """The corpus on 127.0.0.1, from a process of its own: served from the benchmark's
    process it would share the interpreter lock with the single-process run."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if parts[0] == "feed":
                f = int(parts[1])
                base = f"http://127.0.0.1:{self.server.server_port}"
                entries = "".join(
                    f"<item><title>t{f}-{i}</title><link>{base}/page/{f}/{i}</link>"
                    f"<guid>{f}-{i}</guid></item>"
                    for i in range(items)
                )
                body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>f{f}</title>'
                        f"<link>{base}/</link><description>d</description>{entries}"
                        "</channel></rss>").encode()  # fmt: skip
                kind = "application/rss+xml"
            elif parts[0] == "page":
                body, kind = page(int(parts[1]), int(parts[2])), "text/html; charset=utf-8"
            else:  # robots.txt and anything else
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    context = multiprocessing.get_context("fork")  # the handler is a closure: not picklable
    ports: multiprocessing.Queue[int] = context.Queue()

    def run() -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        ports.put(server.server_port)
        server.serve_forever()

    process = context.Process(target=run, daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{ports.get(timeout=30)}"


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) a process has used, its own threads only."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (float(fields[11]) + float(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat") as stat:
        fields = [float(x) for x in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def add_sources(db: Database, base: str, feeds: int) -> None:
    with db.session() as session:
        for f in range(feeds):
            source_store.add_source(session, f"{base}/feed/{f}", f"feed {f}")


def stored(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count(Article.id))) or 0


def env_settings(url: str) -> dict[str, str]:
    return dict(os.environ, WIREBRIEF_DATABASE_URL=url, WIREBRIEF_PER_HOST_DELAY="0",
                WIREBRIEF_ALLOW_PRIVATE_NETWORKS="127.0.0.1/32",
                WIREBRIEF_PER_HOST_CONCURRENCY="64")  # fmt: skip


def run_sqlite(base: str, feeds: int, total: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env(env_settings(f"sqlite:///{tmp}/bench.db"))
        db = Database(settings.database_url)
        db.upgrade()
        add_sources(db, base, feeds)
        busy0, all0 = cpu_busy()
        own0 = process_cpu_s(os.getpid())
        started = time.perf_counter()
        ingest_due(db, settings)  # what `wirebrief run` does each round
        elapsed = time.perf_counter() - started
        busy1, all1 = cpu_busy()
        own = (process_cpu_s(os.getpid()) - own0) / elapsed
        assert stored(db) == total, stored(db)
        db.dispose()
    return total / elapsed, (busy1 - busy0) / (all1 - all0), own


def run_postgres(url: str, base: str, feeds: int, total: int, workers: int) -> tuple:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    env = env_settings(url)
    env["WIREBRIEF_EXTRACT_WORKERS"] = str(max(1, (os.cpu_count() or 1) // workers))
    settings = Settings.from_env(env)
    db = Database(settings.database_url)
    db.upgrade()
    add_sources(db, base, feeds)

    async def prepare() -> None:
        app = make_app(settings)
        async with app.open_async():
            await ensure_schema(app)

    asyncio.run(prepare())
    procs = [subprocess.Popen([sys.executable, "-m", "wirebrief", "worker", "-c", "16"], env=env,
                              stderr=subprocess.DEVNULL) for _ in range(workers)]  # fmt: skip
    time.sleep(3)  # workers up (process pools started) before the clock starts

    async def enqueue() -> None:
        app = make_app(settings)
        async with app.open_async():
            for source_id in range(1, feeds + 1):
                await defer_poll(app, source_id, force=True)

    busy0, all0 = cpu_busy()
    own0 = [process_cpu_s(proc.pid) for proc in procs]
    started = time.perf_counter()
    asyncio.run(enqueue())
    while stored(db) < total:
        time.sleep(0.1)
    elapsed = time.perf_counter() - started
    busy1, all1 = cpu_busy()
    own = [
        (process_cpu_s(proc.pid) - before) / elapsed
        for proc, before in zip(procs, own0, strict=True)
    ]
    with db.session() as session:
        metrics = queue_metrics(session, settings)
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        proc.wait(timeout=60)
    db.dispose()
    return total / elapsed, (busy1 - busy0) / (all1 - all0), max(own), metrics


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--items", type=int, default=15)
    parser.add_argument("--workers", default="1,2,4")
    args = parser.parse_args()
    url = os.environ.get("WIREBRIEF_TEST_POSTGRES_URL") or os.environ.get("WIREBRIEF_BENCH_PG")
    total = args.feeds * args.items
    server, base = serve(args.feeds, args.items)
    print(f"corpus: {args.feeds} feeds × {args.items} items = {total} pages; "
          f"{os.cpu_count()} cores. CPU: the whole machine's; store proc: the process that "
          "fetches and stores (the busiest worker), in cores")  # fmt: skip
    rate, cpu, own = run_sqlite(base, args.feeds, total)
    print(f"{'setup':28} {'items/s':>8} {'ratio':>6} {'p50 s':>7} {'p95 s':>7} {'CPU':>5} "
          f"{'store proc':>10}")  # fmt: skip
    print(f"{'SQLite + run (1 process)':28} {rate:8.1f} {1.0:6.2f} {'-':>7} {'-':>7} {cpu:5.0%} "
          f"{own:10.2f}")  # fmt: skip
    if not url:
        print("no PostgreSQL: set WIREBRIEF_TEST_POSTGRES_URL to measure workers")
        return
    for n in (int(x) for x in args.workers.split(",")):
        pg_rate, pg_cpu, pg_own, m = run_postgres(url, base, args.feeds, total, n)
        p50 = f"{m.latency_p50_s:7.2f}" if m and m.latency_p50_s is not None else f"{'-':>7}"
        p95 = f"{m.latency_p95_s:7.2f}" if m and m.latency_p95_s is not None else f"{'-':>7}"
        label = f"PostgreSQL + {n} worker(s)"
        print(f"{label:28} {pg_rate:8.1f} {pg_rate / rate:6.2f} {p50} {p95} {pg_cpu:5.0%} "
              f"{pg_own:10.2f}")  # fmt: skip
    server.terminate()


if __name__ == "__main__":
    main()
