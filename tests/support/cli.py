"""Run the real ``wirebrief`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_cli(
    *args: str, database_url: str, cwd: Path | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``wirebrief ARGS`` against ``database_url``, allowing loopback fetches only."""
    env = dict(os.environ)
    env.update(
        WIREBRIEF_DATABASE_URL=database_url,
        WIREBRIEF_ALLOW_PRIVATE_NETWORKS="127.0.0.1/32",
        WIREBRIEF_PER_HOST_DELAY="0",  # our own fixture servers need no politeness
        COLUMNS="200",
        NO_COLOR="1",
    )
    return subprocess.run(
        [sys.executable, "-m", "wirebrief", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        input=stdin,
        timeout=120,
    )
