"""An axe-core audit of the reader's pages in a real browser, in light and dark colour
schemes, 390 and 1280 px wide; violations of serious or critical impact (colour contrast
included) fail it.

axe's script is the copy bundled in axe-playwright-python, injected with page.evaluate:
nothing is downloaded, and since Chromium's DevTools evaluation is not held to the page's
CSP (axe compiles its message templates with ``new Function``), the pages are audited
under their real CSP, as readers see them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.site import BROWSER_TIMEOUT_MS, ReaderSite

SCHEMES = ("light", "dark")
WIDTHS = (390, 1280)
FAILING_IMPACTS = frozenset({"serious", "critical"})


def audited_pages(site: ReaderSite) -> dict[str, str]:
    """Each audited page's name and path."""
    desk = site.desk
    return {
        "home": "/",
        "story": f"/stories/{desk.story_id}",
        "article": f"/articles/{desk.original_id}",
        "search": "/search?q=korvex",
        "asset": "/assets/BTC",
        "sources": "/sources",
        "removal form": "/removal",
        "sign-in": "/signin",
        "admin": "/admin",
    }


def describe(where: str, violation: dict) -> str:
    """A violation as a developer fixes it: rule, impact, help, and each node's selector
    with the last line of axe's explanation (for contrast: the colours and the ratio)."""
    lines = [f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}"]
    for node in violation["nodes"]:
        lines.append(f"    {' '.join(map(str, node['target']))}")
        lines.append(f"        {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.fixture
def audit_context(browser, reader_site: ReaderSite) -> Iterator[object]:
    """A browser context signed in to the admin area, with one removal request pending."""
    context = browser.new_context()
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        base = reader_site.base_url
        filed = context.request.post(
            base + "/api/removals",
            data={
                "url": f"{base}/articles/{reader_site.desk.other_id}",
                "reason": "This is our article, republished without a licence.",
                "contact_email": "legal@orchard.example",
            },
        )
        assert filed.status == 201, filed.text()
        signed_in = context.request.post(
            base + "/signin",
            form={"name": reader_site.admin_name, "password": reader_site.admin_password},
        )
        assert signed_in.ok, signed_in.status
        yield context
    finally:
        context.close()


def test_pages_pass_axe(axe, audit_context, reader_site: ReaderSite) -> None:
    base = reader_site.base_url
    page = audit_context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))
    found: list[str] = []
    for name, path in audited_pages(reader_site).items():
        page.goto(base + path)
        assert page.url == base + path, f"{name}: {path} went to {page.url}"
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                violations = axe.run(page).response["violations"]
                found += [
                    describe(f"{name} ({scheme}, {width} px)", violation)
                    for violation in violations
                    if violation["impact"] in FAILING_IMPACTS
                ]
    assert elsewhere == [], f"the audit reached beyond the app: {elsewhere}"
    if found:
        pytest.fail("axe found accessibility violations:\n" + "\n".join(found), pytrace=False)
