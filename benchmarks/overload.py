"""Overload on one route: wrk at 60, 100 and 200 connections on /api/articles (or any path),
alone and while `wirebrief fetch` writes, with /healthz probed every 100 ms throughout.

    python benchmarks/overload.py                                  # 60,100,200 × alone,ingesting
    python benchmarks/overload.py --connections 200 --duration 10 --path /api/articles
    python benchmarks/overload.py --server before=/tmp/before/src --server ours=

The anchor is another ``--server NAME=PYTHONPATH``: e.g. a copy of an earlier ``src/``
(``git archive COMMIT src | tar -x -C /tmp/before``), served by the same interpreter over the
same database, each run beside ours and interleaved, so both see the same machine load.
Prints, per scenario and server: wrk's requests, req/s, p50/p99 and status counts (a Lua
script counts them; errors are wrk's timeouts and dropped connections), and the /healthz
probe's p50/p99/max and statuses (after one warm-up request each, as a monitor keeps it
warm). Everything runs on 127.0.0.1 (`load.py` builds the database and serves it).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from load import (  # benchmarks/ is on sys.path when this script runs
    LOOPBACK,
    MAX_DURATION_S,
    Wire,
    _percentile,
    _versions,
    add_source,
    build_database,
    free_port,
    serve,
    wirebrief,
)

WRK_TIMEOUT_S = 30
HEALTH_EVERY_S = 0.1
# Counts statuses per wrk thread and prints one JSON line at the end.
STATUS_LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, '"' .. status .. '":' .. n) end
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests":%d,"seconds":%.3f,"p50_ms":%.1f,"p99_ms":%.1f,"max_ms":%.1f,' ..
    '"statuses":{%s},"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, table.concat(parts, ","),
    e.connect, e.read, e.write, e.timeout))
end
"""


def run_wrk(url: str, connections: int, seconds: float, script: Path) -> dict:
    """``wrk`` against ``url``; its figures as a dict."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", f"--timeout={WRK_TIMEOUT_S}s",
         "-s", str(script), url],
        capture_output=True, text=True, timeout=seconds + WRK_TIMEOUT_S + 30, check=True,
    ).stdout  # fmt: skip
    line = next(line for line in out.splitlines() if line.startswith("WRK "))
    figures = json.loads(line[4:])
    figures["per_s"] = round(figures["requests"] / figures["seconds"], 1)
    return figures


@contextlib.contextmanager
def health_probe(base_url: str) -> Iterator[dict]:
    """GET /healthz every 100 ms on a connection of its own while the block runs."""
    figures: dict = {"statuses": Counter(), "errors": Counter(), "latencies_ms": []}
    stop = threading.Event()

    def probe() -> None:
        while not stop.is_set():
            started = time.perf_counter()
            try:
                figures["statuses"][_get(base_url, "/healthz")] += 1
                figures["latencies_ms"].append((time.perf_counter() - started) * 1000)
            except OSError as exc:
                figures["errors"][type(exc).__name__] += 1
            stop.wait(max(0.0, HEALTH_EVERY_S - (time.perf_counter() - started)))

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    try:
        yield figures
    finally:
        stop.set()
        thread.join(timeout=WRK_TIMEOUT_S + 5)


def _get(base_url: str, path: str) -> int:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=WRK_TIMEOUT_S)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def health_summary(figures: dict) -> dict:
    ordered = sorted(figures["latencies_ms"])
    return {"p50_ms": _percentile(ordered, 50), "p99_ms": _percentile(ordered, 99),
            "max_ms": round(ordered[-1], 1) if ordered else None,
            "statuses": dict(figures["statuses"]), "errors": dict(figures["errors"])}  # fmt: skip


def _counts(counts: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if v) or "–"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", default="60,100,200")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per run")
    parser.add_argument("--path", default="/api/articles")
    parser.add_argument("--articles", type=int, default=300, help="wire articles in the database")
    parser.add_argument("--scenarios", default="alone,ingesting")
    parser.add_argument(
        "--server",
        action="append",
        help="NAME=PYTHONPATH of a server to compare (repeatable; default: ours=, this code)",
    )
    parser.add_argument("--db", help="an existing database URL (default: build a SQLite one)")
    parser.add_argument(
        "--health-port", action="store_true",
        help="also serve /healthz on a port of its own (WIREBRIEF_HEALTH_PORT) and probe both",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not 0 < args.duration <= MAX_DURATION_S:
        parser.error(f"--duration is at most {MAX_DURATION_S} s")
    if shutil.which("wrk") is None:
        parser.error("wrk is not installed (apt-get install wrk)")
    connection_counts = [int(n) for n in args.connections.split(",")]
    servers: dict[str, dict[str, str]] = {}
    for spec in args.server or ["ours="]:
        name, _, path = spec.partition("=")
        servers[name] = {"PYTHONPATH": path} if path else {}
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="wirebrief-overload-") as tmp,
        Wire({"base": args.articles}, default_items=2000) as wire,
    ):
        script = Path(tmp) / "statuses.lua"
        script.write_text(STATUS_LUA)
        url = args.db or f"sqlite:///{Path(tmp) / 'overload.db'}"
        if not args.db:
            started = time.perf_counter()
            build_database(url, wire, "base")
            print(f"database built in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        live = 0
        for scenario in args.scenarios.split(","):
            for connections in connection_counts:
                for server, env in servers.items():
                    fetch = None
                    health_port = free_port() if args.health_port else None
                    if health_port is not None:
                        env = {**env, "WIREBRIEF_HEALTH_PORT": str(health_port)}
                    with serve(url, env) as base:
                        if scenario == "ingesting":  # a wire not seen before: every page new
                            live += 1
                            source = add_source(url, wire.feed_url(f"live-{live}"), "Wire live")
                            fetch = wirebrief(url, "fetch", "--source", str(source),
                                              stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL)  # fmt: skip
                            time.sleep(2)  # the fetch is storing pages when the load starts
                        for path in ("/healthz", args.path):  # warm, as a monitor keeps it
                            with contextlib.suppress(OSError):
                                _get(base, path)
                        own_port = f"http://{LOOPBACK}:{health_port}" if health_port else None
                        with (
                            health_probe(base) as health,
                            health_probe(own_port) if own_port else contextlib.nullcontext() as own,
                        ):
                            figures = run_wrk(base + args.path, connections, args.duration, script)
                        load = os.getloadavg()[0]
                        if fetch is not None:
                            fetch.send_signal(signal.SIGINT)
                            with contextlib.suppress(subprocess.TimeoutExpired):
                                fetch.wait(timeout=15)
                            if fetch.poll() is None:
                                fetch.kill()
                    row = {"scenario": scenario, "connections": connections, "server": server,
                           "load": round(load, 1), **figures,
                           "healthz": health_summary(health),
                           "healthz_own_port": health_summary(own) if own else None}  # fmt: skip
                    rows.append(row)
                    print(json.dumps(row), file=sys.stderr)
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {_versions()}; {os.cpu_count()} cores; "
        f"wrk -t2, {args.duration:.0f} s per run on {args.path}; "
        f"{args.articles} wire articles + the sample newsroom"
    )
    print("| scenario | conns | server | load | req/s | p50 ms | p99 ms | statuses | wrk errors "
          "| /healthz p50 | p99 | max | /healthz statuses |")  # fmt: skip
    print("|---|---:|---|---:|---:|---:|---:|---|---|---:|---:|---:|---|")
    for row in rows:
        health = row["healthz"]
        cells = [row["scenario"], row["connections"], row["server"], row["load"], row["per_s"],
                 row["p50_ms"], row["p99_ms"], _counts(row["statuses"]), _counts(row["errors"]),
                 health["p50_ms"], health["p99_ms"], health["max_ms"],
                 _counts({**health["statuses"], **health["errors"]})]  # fmt: skip
        print("| " + " | ".join(str(cell) for cell in cells) + " |")
    own_rows = [row for row in rows if row["healthz_own_port"]]
    if own_rows:
        print("\n/healthz on its own port (WIREBRIEF_HEALTH_PORT), probed in the same runs:")
        print("| scenario | conns | server | p50 ms | p99 ms | max ms | statuses |")
        print("|---|---:|---|---:|---:|---:|---|")
        for row in own_rows:
            own = row["healthz_own_port"]
            cells = [
                row["scenario"],
                row["connections"],
                row["server"],
                own["p50_ms"],
                own["p99_ms"],
                own["max_ms"],
                _counts({**own["statuses"], **own["errors"]}),
            ]
            print("| " + " | ".join(str(cell) for cell in cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
