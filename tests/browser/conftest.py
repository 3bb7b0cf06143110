"""A real headless Chromium (Debian's package) driven by Playwright; never downloaded.

Without the browser these tests skip, unless WIREBRIEF_REQUIRE_BROWSER=1 (as in CI), where a
missing browser fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.site import BROWSER_TIMEOUT_MS, ReaderSite
from tests.support.appserver import AppServer
from tests.support.desk import build_desk
from wirebrief.settings import Settings
from wirebrief.storage import users
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app

CHROMIUM = Path(os.environ.get("WIREBRIEF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
ADMIN_NAME, ADMIN_PASSWORD = "editor", "correct horse battery"


def _unavailable(reason: str) -> None:
    if os.environ.get("WIREBRIEF_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (WIREBRIEF_REQUIRE_BROWSER=1 makes this an error)")
    pytest.skip(f"{reason}; install Debian's chromium and the test extra to run browser tests")


@pytest.fixture
def chromium() -> Iterator[object]:
    """Playwright's Chromium browser type, to launch with ``executable_path=CHROMIUM``."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not CHROMIUM.exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    with sync_playwright() as playwright:
        yield playwright.chromium


@pytest.fixture
def browser(chromium) -> Iterator[object]:
    """The browser without a profile, for tests that open contexts of their own."""
    launched = chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture
def browser_context(tmp_path: Path, chromium) -> Iterator[object]:
    """A fresh browser profile (its own --user-data-dir) with clipboard access."""
    context = chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True,
        args=CHROMIUM_ARGS, permissions=["clipboard-read", "clipboard-write"],
    )  # fmt: skip
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def axe() -> object:
    """axe-core's runner; its script is the copy bundled in axe-playwright-python."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        _unavailable("axe-playwright-python is not installed")
    return Axe()


@pytest.fixture
def reader_site(tmp_path: Path, settings: Settings, db: Database) -> Iterator[ReaderSite]:
    """The reader served on loopback over a small newsroom (see :func:`build_desk`)."""
    desk = build_desk(db)
    with db.session() as session:
        users.add_user(session, ADMIN_NAME, ADMIN_PASSWORD, role=users.Role.ADMIN)
    (tmp_path / "prices").mkdir()
    settings = settings.with_overrides(
        price_providers=("files",), prices_dir=tmp_path / "prices", sample_prices=True
    )
    with AppServer(create_app(settings, db)) as server:
        yield ReaderSite(server.base_url, desk, ADMIN_NAME, ADMIN_PASSWORD)


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (git-ignored; CI keeps them)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
