"""Load test of the reader: many concurrent clients on home, article, search and API pages,
alone and while `wirebrief fetch` writes, with /healthz probed throughout.

    python benchmarks/load.py                      # 200 connections, 60 s per scenario
    python benchmarks/load.py --connections 60 --duration 10 --articles 300
    python benchmarks/load.py --compare-unshed     # the same load on a server without shedding

Everything runs on 127.0.0.1: a generated wire (a feed and its article pages, built from the
sample newsroom's sentences), the server (`wirebrief serve`, its own process) over a database
this script builds by ingesting the sample newsroom and the wire, and the client, an asyncio
HTTP/1.1 client with keep-alive in its own process. It prints, per scenario and route,
requests, req/s, latency percentiles of answered requests, status counts and client-side
errors (timeouts, dropped connections), and the same for /healthz, probed every 100 ms on a
connection of its own. JSON goes to stderr.

The pieces are importable for other web benchmarks: `build_database`, `Wire`, `serve`,
`drive` and `Report`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape

MAX_DURATION_S = 600
MAX_CONNECTIONS = 2000
REQUEST_TIMEOUT_S = 30.0
HEALTH_EVERY_S = 0.1
LOOPBACK = "127.0.0.1"


# ── the wire: a generated feed and its pages, served on loopback ──


def _sentences() -> list[str]:
    from wirebrief.demo.site import load_newsroom

    text = " ".join(article.body for article in load_newsroom().articles)
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if 40 <= len(s) <= 300]


class Wire:
    """A feed of generated articles at ``/{prefix}/feed.xml`` (``items[prefix]`` of them, or
    ``default_items``), one page each;
    sentences are drawn at random, so articles are neither copies nor near copies."""

    def __init__(self, items: dict[str, int], default_items: int, seed: int = 7) -> None:
        self.items, self.default_items = items, default_items
        self._sentences = _sentences()
        self._seed = seed
        self._httpd: ThreadingHTTPServer | None = None

    def article(self, prefix: str, n: int) -> tuple[str, list[str]]:
        rng = random.Random(f"{self._seed}/{prefix}/{n}")
        picked = rng.sample(self._sentences, 14)
        title = " ".join(picked[0].split()[:9]).rstrip(",.;:") + f" ({prefix} {n})"
        return title, [" ".join(picked[i : i + 3]) for i in range(1, 14, 3)]

    def page(self, prefix: str, n: int) -> bytes:
        title, paragraphs = self.article(prefix, n)
        body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        published = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(minutes=n)
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
            f'</title><meta property="article:published_time" content="{published.isoformat()}">'
            f"</head><body><article><h1>{escape(title)}</h1>{body}</article></body></html>"
        ).encode()

    def feed(self, prefix: str) -> bytes:
        base = self.base_url
        items = []
        for n in range(self.items.get(prefix, self.default_items)):
            title, paragraphs = self.article(prefix, n)
            when = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(minutes=n)
            items.append(
                f"<item><title>{escape(title)}</title><link>{base}/{prefix}/{n}</link>"
                f"<guid>{base}/{prefix}/{n}</guid><pubDate>{format_datetime(when)}</pubDate>"
                f"<description>{escape(paragraphs[0])}</description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>Load wire {prefix}</title><link>{base}/</link>"
            f"<description>Generated</description>{''.join(items)}</channel></rss>"
        ).encode()

    @property
    def base_url(self) -> str:
        assert self._httpd is not None
        return f"http://{LOOPBACK}:{self._httpd.server_address[1]}"

    def feed_url(self, prefix: str) -> str:
        return f"{self.base_url}/{prefix}/feed.xml"

    def __enter__(self) -> Wire:
        wire = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path).path.strip("/").split("/")
                body, kind = b"not found", "text/plain"
                status = 404
                if len(parts) == 2 and re.fullmatch(r"[a-z0-9-]+", parts[0]):
                    if parts[1] == "feed.xml":
                        body, kind, status = wire.feed(parts[0]), "application/rss+xml", 200
                    elif parts[1].isdigit():
                        body = wire.page(parts[0], int(parts[1]))
                        kind, status = "text/html; charset=utf-8", 200
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()


# ── the database and the server ──


def cli_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a `wirebrief` command run by this benchmark (loopback allowed)."""
    env = dict(os.environ)
    env.update(
        WIREBRIEF_DATABASE_URL=database_url,
        WIREBRIEF_ALLOW_PRIVATE_NETWORKS=f"{LOOPBACK}/32",
        WIREBRIEF_PER_HOST_DELAY="0",
        WIREBRIEF_PER_HOST_CONCURRENCY="8",
        WIREBRIEF_RESPECT_ROBOTS_TXT="false",
        NO_COLOR="1",
        COLUMNS="160",
    )
    env.update(extra)
    return env


def wirebrief(database_url: str, *args: str, **popen: object) -> subprocess.Popen[bytes]:
    """Start ``wirebrief ARGS`` (the real command line) against ``database_url``."""
    return subprocess.Popen(
        [sys.executable, "-m", "wirebrief", *args],
        env=cli_env(database_url),
        **popen,  # type: ignore[arg-type]
    )


def run_wirebrief(database_url: str, *args: str) -> str:
    """Run ``wirebrief ARGS`` to the end; its output, or an error with it."""
    process = wirebrief(database_url, *args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = process.communicate(timeout=1800)
    if process.returncode:
        raise RuntimeError(f"wirebrief {' '.join(args)} failed:\n{out.decode()[-2000:]}")
    return out.decode()


def add_source(database_url: str, url: str, name: str) -> int:
    out = run_wirebrief(database_url, "sources", "add", url, "--kind", "feed", "--name", name)
    return int(re.search(r"Added source (\d+)", out).group(1))  # type: ignore[union-attr]


def build_database(database_url: str, wire: Wire, prefix: str) -> None:
    """A database holding the sample newsroom and the ``prefix`` wire, ingested as live
    sources are (`wirebrief init`, `sources add`, `fetch`)."""
    from wirebrief.demo.server import NewsroomServer

    run_wirebrief(database_url, "init", "--admin-password", "load-test-password")
    with NewsroomServer() as newsroom:
        for name, url in newsroom.feed_urls():
            add_source(database_url, url, name)
        add_source(database_url, wire.feed_url(prefix), f"Wire {prefix}")
        run_wirebrief(database_url, "fetch")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(database_url: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """`wirebrief serve` on a free loopback port, in its own process; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "wirebrief", "serve", "--port", str(port)],
        env=cli_env(database_url, **(env or {})),
        stdout=subprocess.DEVNULL,
    )
    base = f"http://{LOOPBACK}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"wirebrief serve did not start on port {port}")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def sample_paths(database_url: str, limit: int = 200) -> dict[str, list[str]]:
    """Paths per route: real article ids and words that search finds."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, title FROM articles WHERE hidden = false ORDER BY id DESC LIMIT :n"),
            {"n": limit},
        ).all()
    engine.dispose()
    words = sorted({w.lower() for _, title in rows for w in re.findall(r"[A-Za-z]{6,}", title)})
    words = words[:: max(1, len(words) // 50)] or ["market"]
    return {
        "home": ["/", "/?page=2", "/sources"],
        "article": [f"/articles/{id_}" for id_, _ in rows],
        "search": [f"/search?q={quote(w)}" for w in words],
        "api": ["/api/articles", "/api/stories"] + [f"/api/search?q={quote(w)}" for w in words],
    }


# ── the client ──


@dataclass
class RouteResult:
    """What one route got: status counts, client-side errors and answered latencies."""

    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)

    def summary(self, seconds: float) -> dict[str, object]:
        ordered = sorted(self.latencies_ms)
        done = sum(self.statuses.values())
        return {
            "requests": done + sum(self.errors.values()),
            "answered_per_s": round(done / seconds, 1),
            "ok_per_s": round(self.statuses.get(200, 0) / seconds, 1),
            "p50_ms": _percentile(ordered, 50),
            "p95_ms": _percentile(ordered, 95),
            "p99_ms": _percentile(ordered, 99),
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "statuses": dict(sorted(self.statuses.items())),
            "errors": dict(self.errors),
        }


def _percentile(ordered: Sequence[float], q: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))], 1)


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str
) -> tuple[int, bool]:
    """One keep-alive GET; the status and whether the server closes the connection."""
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: wirebrief-load\r\n\r\n".encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers.get("connection", "").lower() == "close"


async def _connection(
    host: str,
    port: int,
    paths: Iterator[tuple[str, str]],
    results: dict[str, RouteResult],
    until: float,
    pause_s: float = 0.0,
) -> None:
    """One client connection sending requests back to back (or every ``pause_s``)."""
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    loop = asyncio.get_running_loop()
    while loop.time() < until:
        route, path = next(paths)
        result = results.setdefault(route, RouteResult())
        started = loop.time()
        try:
            if conn is None:
                conn = await asyncio.wait_for(
                    asyncio.open_connection(host, port), REQUEST_TIMEOUT_S
                )
            status, closing = await asyncio.wait_for(
                _get(*conn, f"{host}:{port}", path), REQUEST_TIMEOUT_S
            )
            result.statuses[status] += 1
            result.latencies_ms.append((loop.time() - started) * 1000)
            if closing:
                conn[1].close()
                conn = None
        except TimeoutError:
            result.errors["timeout"] += 1
            conn = _drop(conn)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as exc:
            result.errors[type(exc).__name__] += 1
            conn = _drop(conn)
            await asyncio.sleep(0.05)
        if pause_s:
            await asyncio.sleep(max(0.0, pause_s - (loop.time() - started)))
    _drop(conn)


def _drop(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> None:
    if conn is not None:
        conn[1].close()
    return None


async def _drive(
    base_url: str, paths: dict[str, list[str]], connections: int, seconds: float
) -> dict:
    parts = urlsplit(base_url)
    host, port = parts.hostname or LOOPBACK, parts.port or 80
    results: dict[str, RouteResult] = {}
    health: dict[str, RouteResult] = {}
    routes = sorted(paths)
    until = asyncio.get_running_loop().time() + seconds

    def rotation(i: int) -> Iterator[tuple[str, str]]:
        rng = random.Random(i)
        for n in itertools.count(i):
            route = routes[n % len(routes)]
            yield route, rng.choice(paths[route])

    health_paths = itertools.repeat(("/healthz", "/healthz"))
    tasks = [_connection(host, port, rotation(i), results, until) for i in range(connections)]
    tasks.append(_connection(host, port, health_paths, health, until, HEALTH_EVERY_S))
    await asyncio.gather(*tasks)
    report = {route: results[route].summary(seconds) for route in routes if route in results}
    report["/healthz"] = health["/healthz"].summary(seconds)
    return report


def _client_process(base_url: str, paths: dict, connections: int, seconds: float, out) -> None:  # type: ignore[no-untyped-def]
    out.send(asyncio.run(_drive(base_url, paths, connections, seconds)))


def drive(base_url: str, paths: dict[str, list[str]], connections: int, seconds: float) -> dict:
    """Load ``base_url`` from a separate process: ``connections`` keep-alive connections
    rotating over the routes of ``paths`` for ``seconds``, plus a /healthz probe."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("spawn").Process(
        target=_client_process, args=(base_url, paths, connections, seconds, send)
    )
    process.start()
    try:
        if not receive.poll(seconds + REQUEST_TIMEOUT_S + 60):
            raise RuntimeError("the load client did not report")
        return receive.recv()
    finally:
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


# ── the report ──


class Report:
    """Rows of a markdown table, and everything as JSON."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(self, scenario: str, result: dict[str, dict]) -> None:
        for route, figures in result.items():
            self.rows.append({"scenario": scenario, "route": route, **figures})

    def markdown(self) -> str:
        head = (
            "| scenario | route | requests | answered/s | 200/s | p50 ms | p95 ms | p99 ms | "
            "max ms | statuses | client errors |\n"
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|"
        )
        lines = [head]
        for row in self.rows:
            statuses = ", ".join(f"{k}: {v}" for k, v in row["statuses"].items()) or "–"  # type: ignore[attr-defined]
            errors = ", ".join(f"{k}: {v}" for k, v in row["errors"].items()) or "–"  # type: ignore[attr-defined]
            lines.append(
                f"| {row['scenario']} | {row['route']} | {row['requests']} | "
                f"{row['answered_per_s']} | {row['ok_per_s']} | {row['p50_ms']} | "
                f"{row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} | {statuses} | {errors} |"
            )
        return "\n".join(lines)


def _versions() -> str:
    import sqlalchemy
    import starlette
    import uvicorn

    import wirebrief

    return (
        f"wirebrief {wirebrief.__version__}, Python {sys.version.split()[0]}, uvicorn "
        f"{uvicorn.__version__}, starlette {starlette.__version__}, SQLAlchemy "
        f"{sqlalchemy.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per scenario")
    parser.add_argument("--articles", type=int, default=1000, help="wire articles in the database")
    parser.add_argument(
        "--ingest-items",
        type=int,
        default=3000,
        help="wire articles fetched during the ingesting scenario",
    )
    parser.add_argument("--db", help="database URL (default: a new SQLite file)")
    parser.add_argument("--scenarios", default="alone,ingesting")
    parser.add_argument(
        "--compare-unshed",
        action="store_true",
        help="also run each scenario on a server without load shedding",
    )
    args = parser.parse_args(argv)
    if not (0 < args.duration <= MAX_DURATION_S and 0 < args.connections <= MAX_CONNECTIONS):
        parser.error(f"--duration is at most {MAX_DURATION_S} s, --connections {MAX_CONNECTIONS}")
    report = Report()
    with (
        tempfile.TemporaryDirectory(prefix="wirebrief-load-") as tmp,
        Wire({"base": args.articles}, args.ingest_items) as wire,
    ):
        url = args.db or f"sqlite:///{Path(tmp) / 'load.db'}"
        started = time.perf_counter()
        build_database(url, wire, "base")
        print(f"database built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        paths = sample_paths(url)
        servers = {"shed": {}}
        if args.compare_unshed:  # the old behaviour: a thread per request, unbounded waits
            servers["unshed"] = {
                "WIREBRIEF_WEB_THREADS": "40",
                "WIREBRIEF_WEB_QUEUE": "100000",
                "WIREBRIEF_WEB_QUEUE_TIMEOUT": "3600",
            }
        for scenario in args.scenarios.split(","):
            for server, env in servers.items():
                with serve(url, env) as base:
                    fetch = None
                    if scenario == "ingesting":  # a wire not seen before, so every page is new
                        live_id = add_source(url, wire.feed_url(f"live-{server}"), "Wire live")
                        fetch = wirebrief(
                            url,
                            "fetch",
                            "--source",
                            str(live_id),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                        )
                    result = drive(base, paths, args.connections, args.duration)
                    load = os.getloadavg()[0]
                    if fetch is not None:
                        still = fetch.poll() is None
                        fetch.send_signal(signal.SIGINT)
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            fetch.wait(timeout=15)
                        if fetch.poll() is None:
                            fetch.kill()
                        print(f"fetch still running at the end: {still}", file=sys.stderr)
                label = (
                    f"{scenario} ({server}, load {load:.1f})"
                    if args.compare_unshed
                    else f"{scenario} (load {load:.1f})"
                )
                report.add(label, result)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {_versions()}; {os.cpu_count()} cores; "
        f"{args.connections} connections, {args.duration:.0f} s per scenario, "
        f"{args.articles} wire articles + the sample newsroom"
    )
    print(report.markdown())
    print(json.dumps(report.rows), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
