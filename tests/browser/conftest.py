"""A real headless Chromium (Debian's package) driven by Playwright; never downloaded.

Without the browser these tests skip, unless WIREBRIEF_REQUIRE_BROWSER=1 (as in CI), where a
missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("WIREBRIEF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"


def _unavailable(reason: str) -> None:
    if os.environ.get("WIREBRIEF_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (WIREBRIEF_REQUIRE_BROWSER=1 makes this an error)")
    pytest.skip(f"{reason}; install Debian's chromium and the test extra to run browser tests")


@pytest.fixture
def browser_context(tmp_path: Path) -> Iterator[object]:
    """A fresh browser profile (its own --user-data-dir) with clipboard access."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, permissions=["clipboard-read", "clipboard-write"],
        )  # fmt: skip
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (git-ignored; CI keeps them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
