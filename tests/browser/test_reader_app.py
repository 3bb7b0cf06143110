"""The signed-in reader in a real browser: a keyboard-only journey at 390 and 1280 px
(sign in, j/k, s, m, o, g then s/u, ?, /), the installable web app reading an opened
article offline, and an axe audit of the reader's pages in both colour schemes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.site import BROWSER_TIMEOUT_MS
from tests.browser.test_accessibility import FAILING_IMPACTS, SCHEMES, describe
from tests.support.appdesk import NAME, PASSWORD, seed_accounts
from tests.support.appserver import AppServer
from tests.support.desk import Desk
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app

WIDTHS = (390, 1280)


@pytest.fixture
def served(settings: Settings, db: Database) -> Iterator[tuple[str, Desk]]:
    desk, _, _ = seed_accounts(db)
    with AppServer(create_app(settings, db)) as server:
        yield server.base_url, desk


def tab_to(page, selector: str, most: int = 40) -> None:
    """Press Tab until ``selector`` has the focus (keyboard only)."""
    for _ in range(most):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def sign_in_by_keyboard(page, base: str) -> None:
    page.goto(base + "/signin?next=/reader")
    tab_to(page, "#name")
    page.keyboard.type(NAME)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: url == base + "/reader")


def focused_title(page) -> str:
    return page.evaluate("document.activeElement.textContent")


@pytest.mark.parametrize("width", WIDTHS)
def test_keyboard_only_journey(browser, served, width: int, artifacts: Path) -> None:
    base, desk = served
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        sign_in_by_keyboard(page, base)
        items = page.locator(".items > .item")
        assert items.count() == 2
        page.keyboard.press("j")
        assert focused_title(page) == "Korvex customers queue for refunds"
        page.keyboard.press("j")
        assert focused_title(page) == "Korvex halts withdrawals"
        page.keyboard.press("k")
        page.keyboard.press("j")
        page.keyboard.press("s")  # star the Korvex family
        page.wait_for_selector(".item[data-starred='true']")
        page.keyboard.press("m")  # mark it read, then unread again
        page.wait_for_selector(".item.selected[data-read='true']")
        page.keyboard.press("m")
        page.wait_for_selector(".item.selected[data-read='false']")
        page.screenshot(path=str(artifacts / f"reader-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the reader scrolls sideways at {width} px"

        page.keyboard.press("g")
        page.keyboard.press("s")
        page.wait_for_url("**/reader?view=starred")
        assert page.locator(".item-link").all_inner_texts() == ["Korvex halts withdrawals"]
        page.keyboard.press("g")
        page.keyboard.press("u")
        page.wait_for_url("**/reader?view=unread")
        page.keyboard.press("?")
        assert page.locator("#shortcuts").is_visible()
        page.keyboard.press("Escape")
        assert not page.locator("#shortcuts").is_visible()

        page.keyboard.press("j")
        page.keyboard.press("j")
        marked = f"/reader/items/{desk.original_id}/read"
        with page.expect_response(lambda r: r.url.endswith(marked)) as response:
            page.keyboard.press("o")  # open it: the article page marks the family read
        assert response.value.ok
        page.wait_for_url(f"**/articles/{desk.original_id}")
        page.goto(base + "/reader")
        assert page.locator(".item-link").all_inner_texts() == [
            "Korvex customers queue for refunds"
        ]
        page.keyboard.press("/")
        page.wait_for_url("**/search")
        assert problems == [], problems
    finally:
        context.close()


def test_an_opened_article_reads_offline(browser, served) -> None:
    base, desk = served
    context = browser.new_context()
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    try:
        sign_in_by_keyboard(page, base)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()  # now under the service worker's control
        assert page.evaluate("!!navigator.serviceWorker.controller")
        page.goto(f"{base}/articles/{desk.original_id}")
        kept = "caches.open('wirebrief-pages').then(c => c.match(location.href)).then(Boolean)"
        for _ in range(100):
            if page.evaluate(kept):
                break
            page.wait_for_timeout(100)
        context.set_offline(True)
        page.goto(f"{base}/articles/{desk.original_id}")
        assert page.locator("h1").first.inner_text() == "Korvex halts withdrawals"
        page.goto(f"{base}/articles/{desk.other_id}")  # never opened: the offline page
        assert page.locator("h1").inner_text() == "You are offline"
    finally:
        context.close()


def test_reader_pages_pass_axe(browser, served, axe) -> None:
    base, _ = served
    context = browser.new_context()
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    found: list[str] = []
    try:
        sign_in_by_keyboard(page, base)
        for path in ("/reader", "/reader?view=all", "/reader/subscriptions", "/offline", "/signin"):
            page.goto(base + path)
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    for violation in axe.run(page).response["violations"]:
                        if violation["impact"] in FAILING_IMPACTS:
                            found.append(describe(f"{path} ({scheme}, {width} px)", violation))
    finally:
        context.close()
    if found:
        pytest.fail("axe found accessibility violations:\n" + "\n".join(found), pytrace=False)
