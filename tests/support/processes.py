"""Real ``wirebrief`` processes for crash and shutdown tests: start, kill, and check that no
child outlives them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil

# Loopback only, no politeness towards our own fixture servers, the real page-stage pool.
BASE_ENV = {
    "WIREBRIEF_ALLOW_PRIVATE_NETWORKS": "127.0.0.1/32",
    "WIREBRIEF_PER_HOST_DELAY": "0",
    "WIREBRIEF_PER_HOST_CONCURRENCY": "8",
    "COLUMNS": "200",
    "NO_COLOR": "1",
}


def spawn(*args: str, database_url: str, log: Path, **env: str) -> subprocess.Popen[bytes]:
    """``wirebrief ARGS`` in the background, its output appended to ``log``."""
    environ = dict(os.environ, **BASE_ENV, WIREBRIEF_DATABASE_URL=database_url, **env)
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "wirebrief", *args], env=environ, stdout=out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip


def family(process: subprocess.Popen[bytes]) -> list[psutil.Process]:
    """The process and every process it started (page-stage workers, their forkserver)."""
    try:
        root = psutil.Process(process.pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def wait_until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``check`` every 50 ms until it holds; fail the test after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(0.05)


def survivors(members: list[psutil.Process], timeout_s: float) -> list[psutil.Process]:
    """Which of ``members`` are still running after ``timeout_s`` (zombies count as gone)."""
    deadline = time.monotonic() + timeout_s
    while True:
        alive = [p for p in members if _running(p)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def kill_family(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process and everything it started (test cleanup, never the test itself)."""
    for member in reversed(family(process)):
        with contextlib.suppress(psutil.NoSuchProcess):
            member.send_signal(signal.SIGKILL)
    process.wait()


def stopped(processes: Iterator[subprocess.Popen[bytes]]) -> None:
    """Cleanup for a test's processes: whatever still runs is killed with its children."""
    for process in processes:
        if process.poll() is None:
            kill_family(process)


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
