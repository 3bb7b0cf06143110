"""The reader's journey in a real browser: home, story, article (TLDR, market widget,
related, copy link), a removal request, the admin approving it, and the article gone from
home, search, the API and the feeds. Screenshots at 390 and 1280 px go to artifacts/."""

from __future__ import annotations

from pathlib import Path

import feedparser
import httpx

from tests.browser.site import ReaderSite

WIDTHS = (390, 1280)


def shoot(page, artifacts: Path, name: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(artifacts / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways at {width} px"


def test_reader_journey_and_removal(
    browser_context, reader_site: ReaderSite, artifacts: Path
) -> None:
    base, desk = reader_site.base_url, reader_site.desk
    page = browser_context.new_page()
    problems: list[str] = []
    bad: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: bad.append(r.url) if r.status >= 400 else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(base + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Top stories"
    assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
    shoot(page, artifacts, "home")

    page.get_by_role("link", name="Korvex halts withdrawals").first.click()
    page.wait_for_url(f"**/stories/{desk.story_id}")
    page.locator(f"a[href='/articles/{desk.original_id}']").first.click()
    page.wait_for_url(f"**/articles/{desk.original_id}")
    assert page.locator(".tldr").is_visible()
    assert "Korvex paused withdrawals." in page.locator(".tldr").inner_text()
    assert page.locator(".markets").is_visible()
    assert page.locator(".related").is_visible()
    assert "min read" in page.locator(".byline").first.inner_text()
    for name in ("X", "Telegram", "Email"):
        assert page.get_by_role("link", name=name, exact=True).count() == 1
    shoot(page, artifacts, "article")
    page.get_by_role("link", name="Copy link").click()
    page.get_by_text("Link copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"/articles/{desk.original_id}")

    page.get_by_role("link", name="ask for its removal").click()
    assert page.locator("#url").input_value().endswith(f"/articles/{desk.original_id}")
    page.fill("#reason", "This is our article, republished without a licence.")
    page.fill("#contact_email", "legal@orchard.example")
    page.get_by_role("button", name="Send the request").click()
    page.get_by_text("Request received").wait_for()

    page.goto(base + "/admin")
    page.wait_for_url("**/signin?next=/admin")
    page.fill("#name", reader_site.admin_name)
    page.fill("#password", reader_site.admin_password)
    page.get_by_role("button", name="Sign in").click()
    # "**/admin" would also match the sign-in page's own "?next=/admin"
    page.wait_for_url(lambda url: url == base + "/admin")
    page.get_by_role("button", name="Approve and remove").click()
    page.get_by_text("removal_approved").first.wait_for()
    page.screenshot(path=str(artifacts / "admin-1280.png"), full_page=True)

    page.goto(base + "/")
    assert "Korvex halts withdrawals" not in page.locator("main").inner_text()
    page.goto(base + "/search?q=korvex")
    results = page.locator("main").inner_text()
    assert "Korvex customers queue" in results and "Korvex halts withdrawals" not in results
    # no CSP violation, script error or broken resource on any page (bar the favicon)
    bad = [url for url in bad if not url.endswith("/favicon.ico")]
    problems = [p for p in problems if "Failed to load resource" not in p]
    assert problems == [] and bad == [], (problems, bad)

    api = httpx.get(base + "/api/articles", params={"limit": 100}).json()["items"]
    assert desk.original_id not in {a["id"] for a in api}
    feed = feedparser.parse(httpx.get(base + "/feeds/stories.rss").content)
    assert not [e for e in feed.entries if e.link.endswith(f"/articles/{desk.original_id}")]
