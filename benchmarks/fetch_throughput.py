"""Feed polling throughput: Wirebrief against a naive loop, over the same local server.

Serves the 200 real feeds of ``../shared/data/feeds/fastfeedparser-benchmark/`` from
loopback addresses (127.0.1.1, 127.0.1.2, …: many "hosts", so per-host politeness applies
as it would on the internet), replicated to ``--sources`` feeds. A share of them
(``--unchanged``) has an ETag and answers 304 to a matching If-None-Match; the rest always
answer 200, as feeds without validators do.

Both contenders poll every feed twice:
- Wirebrief: ``Ingestor.ingest_sources(pages=False, force_poll=True)``: conditional GET,
  parse, compare with stored entries, record the poll (and queue its entries) in SQLite.
  Default politeness: 2 requests at a time and 1 s between request starts per host.
- naive: a sequential loop of ``httpx.get`` + ``feedparser.parse`` per feed.

Each contender runs in its own process, so its peak memory is its own.

    python benchmarks/fetch_throughput.py [--sources 2000] [--hosts 100] [--unchanged 0.8]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "feeds"
DATA = DATA.resolve() / "fastfeedparser-benchmark"


def feed_files(directory: Path) -> list[Path]:
    """The benchmark corpus, in a stable order."""
    return sorted(p for p in directory.iterdir() if p.suffix in {".xml", ".json"})


def host_of(index: int, hosts: int) -> str:
    """The loopback address that serves feed ``index``."""
    return f"127.0.1.{index % hosts + 1}"


def feed_urls(count: int, hosts: int, port: int) -> list[str]:
    """Every feed URL of the run."""
    return [f"http://{host_of(i, hosts)}:{port}/feeds/{i}.xml" for i in range(count)]


# ── the server (its own process) ─────────────────────────────────────────────


def serve(files: list[str], count: int, unchanged: float, sockets: list[socket.socket]) -> None:
    """An ASGI app on uvicorn, listening on every given socket."""
    import uvicorn

    bodies = [Path(f).read_bytes() for f in files]
    stable = int(count * unchanged)

    async def app(scope, receive, send):  # a bare ASGI app: nothing between it and uvicorn
        if scope["type"] != "http":
            return
        index = int(scope["path"].rsplit("/", 1)[-1].split(".")[0])
        body = bodies[index % len(bodies)]
        headers = [(b"content-type", b"application/xml")]
        if index < stable:  # feeds with a validator: a 304 when it matches
            etag = f'"feed-{index}-v1"'.encode()
            headers.append((b"etag", etag))
            if dict(scope["headers"]).get(b"if-none-match") == etag:
                await send({"type": "http.response.start", "status": 304, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    config = uvicorn.Config(app, log_level="error", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=sockets)


def bind_all(hosts: int) -> tuple[int, list[socket.socket]]:
    """One listening socket per loopback host, all on the same free port."""
    for _ in range(20):
        probe = socket.socket()
        probe.bind(("127.0.1.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        sockets = []
        try:
            for i in range(hosts):
                sock = socket.socket()
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((f"127.0.1.{i + 1}", port))
                sock.listen(1024)
                sockets.append(sock)
            return port, sockets
        except OSError:
            for sock in sockets:
                sock.close()
    raise RuntimeError("could not bind the loopback hosts")


# ── the contenders (each in its own process) ─────────────────────────────────


def run_wirebrief(urls: list[str]) -> dict:
    """Two passes of Wirebrief's polling stage; figures per pass."""
    from wirebrief.pipeline import Ingestor
    from wirebrief.settings import Settings, parse_networks
    from wirebrief.storage import sources as source_store
    from wirebrief.storage.db import Database

    workdir = tempfile.mkdtemp(prefix="wirebrief-bench-")
    settings = Settings(
        database_url=f"sqlite:///{workdir}/bench.db",
        allowed_private_networks=parse_networks("127.0.0.0/8"),
    )
    db = Database(settings.database_url)
    db.upgrade()
    with db.session() as session:
        ids = [source_store.add_source(session, url, url).id for url in urls]

    async def passes() -> list[dict]:
        results = []
        async with Ingestor(db, settings) as ingestor:
            for _ in range(2):
                started = time.perf_counter()
                reports = await ingestor.ingest_sources(ids, pages=False, force_poll=True)
                elapsed = time.perf_counter() - started
                results.append({
                    "seconds": elapsed,
                    "feeds": len(reports),
                    "items": sum(r.listed for r in reports),
                    "not_modified": sum(r.status == "not_modified" for r in reports),
                    "failed": sum(r.status == "failed" for r in reports),
                })  # fmt: skip
        return results

    return {"passes": asyncio.run(passes()), "peak_rss_mb": _peak_rss_mb()}


def run_naive(urls: list[str]) -> dict:
    """Two passes of httpx.get + feedparser.parse, one feed after another."""
    import feedparser
    import httpx

    results = []
    with httpx.Client(timeout=30) as client:
        for _ in range(2):
            started = time.perf_counter()
            items = failed = 0
            for url in urls:
                try:
                    items += len(feedparser.parse(client.get(url).content).entries)
                except Exception:  # the naive loop just counts failures
                    failed += 1
            elapsed = time.perf_counter() - started
            results.append({"seconds": elapsed, "feeds": len(urls), "items": items,
                            "not_modified": 0, "failed": failed})  # fmt: skip
    return {"passes": results, "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers) / 1024


# ── orchestration ────────────────────────────────────────────────────────────


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=2000, help="feeds to poll (default 2000)")
    parser.add_argument("--hosts", type=int, default=100, help="loopback hosts (default 100)")
    parser.add_argument(
        "--unchanged", type=float, default=0.8, help="share answering 304 on pass 2 (default 0.8)"
    )
    parser.add_argument("--data", type=Path, default=DATA, help="folder of feed files")
    parser.add_argument("--contender", choices=["wirebrief", "naive"], help=argparse.SUPPRESS)
    parser.add_argument("--urls", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.contender:  # a child process: run one contender, print JSON
        urls = json.loads(args.urls.read_text())
        runner = run_wirebrief if args.contender == "wirebrief" else run_naive
        print(json.dumps(runner(urls)))
        return

    if not args.data.is_dir():
        sys.exit(f"benchmark data not found at {args.data}; pass --data DIR")
    files = [str(p) for p in feed_files(args.data)]
    port, sockets = bind_all(args.hosts)
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(files, args.sources, args.unchanged, sockets), daemon=True
    )
    server.start()
    for sock in sockets:
        sock.close()
    time.sleep(1.5)
    urls = feed_urls(args.sources, args.hosts, port)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(urls, handle)
    try:
        results = {name: _child(name, Path(handle.name)) for name in ("wirebrief", "naive")}
    finally:
        server.terminate()
        os.unlink(handle.name)
    print(json.dumps(results), file=sys.stderr)  # the raw figures, whatever happens next
    _report(results, args)


def _child(contender: str, urls: Path) -> dict:
    print(f"running {contender}…", file=sys.stderr, flush=True)
    out = subprocess.run(
        [sys.executable, __file__, "--contender", contender, "--urls", str(urls)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _report(results: dict, args: argparse.Namespace) -> None:
    from importlib.metadata import version

    versions = f"fastfeedparser {version('fastfeedparser')}, feedparser {version('feedparser')}"
    print(
        f"\nFeed polling, {args.sources} feeds on {args.hosts} loopback hosts, "
        f"{args.unchanged:.0%} with an ETag (304 on pass 2), {os.cpu_count()} cores; {versions}\n"
    )
    print("| pass | contender | s | feeds/s | feeds/min | items/s | 304s | failed | peak RSS MB |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for index in range(2):
        for name in ("wirebrief", "naive"):
            p = results[name]["passes"][index]
            rate = p["feeds"] / p["seconds"]
            cells = [
                str(index + 1), name, f"{p['seconds']:.1f}", f"{rate:.1f}", f"{60 * rate:.0f}",
                f"{p['items'] / p['seconds']:.0f}", str(p["not_modified"]), str(p["failed"]),
                f"{results[name]['peak_rss_mb']:.0f}",
            ]  # fmt: skip
            print("| " + " | ".join(cells) + " |")
    for index in range(2):
        ours, theirs = (results[n]["passes"][index]["seconds"] for n in ("wirebrief", "naive"))
        print(
            f"\npass {index + 1}: Wirebrief is {theirs / ours:.1f} times as fast as the naive loop"
        )


if __name__ == "__main__":
    main()
