"""End to end: three sites on 127.0.0.1 carry one article; the reader shows one story.

Orchard Wire publishes the article at 09:00. Ledger Lantern reprints it verbatim at
10:00 (an exact copy). Signal Post runs a trimmed copy with a "The post … appeared first
on Orchard Wire." footer linking to the original, and its feed dates it 08:45, before
the original: what the copy says about its origin must win over that timestamp.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support.appserver import AppServer
from tests.support.httpserver import FixtureServer, Route
from wirebrief.pipeline import ingest_due
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.web.app import create_app

TITLE = "Harbour council approves a ferry fare rise for island routes"
# A fictional article, written for this test.
PARAGRAPHS = [
    "The harbour council voted on Tuesday to raise fares on the three island ferry routes "
    "by eight percent from the first of April, the first increase in four years.",
    "Councillors said the rise would pay for two new engines for the older of the two "
    "vessels, which broke down eleven times last winter and left commuters stranded.",
    "Residents of the outer islands, who depend on the ferries for school, hospital visits "
    "and deliveries, will keep their discount cards, which now cover half of the fare.",
    "The island traders' association warned that hauliers would pass the cost on to shops, "
    "and asked the council to freeze freight tariffs until the summer season.",
    "The harbour master told the meeting that the timetable would not change, although "
    "the late sailing on Sundays may be dropped if passenger numbers keep falling.",
    "A public consultation on the freight tariffs opens next week and runs for six weeks; "
    "the council will publish the responses before it sets the summer timetable.",
]


@dataclass(frozen=True)
class Site:
    """One publication: its name, its server, and when its feed dates the article."""

    name: str
    server: FixtureServer
    published: str  # RFC 822, as RSS says it
    published_iso: str

    @property
    def article_url(self) -> str:
        """Where the site publishes the article."""
        return self.server.url("/news/ferry-fares")

    @property
    def feed_url(self) -> str:
        """The site's RSS feed."""
        return self.server.url("/feed.xml")


def page(site: Site, paragraphs: list[str], footer: str = "") -> bytes:
    """An article page with the site's own chrome around the article."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><title>{TITLE} | {site.name}</title>
<meta property="og:site_name" content="{site.name}">
<meta property="article:published_time" content="{site.published_iso}"></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>{TITLE}</h1>{body}{footer}</article>
<aside><h2>Most read</h2><ul><li><a href="/news/other">Another story</a></li></ul></aside>
<footer>© 2026 {site.name}</footer></body></html>""".encode()


def feed(site: Site) -> bytes:
    """The site's RSS feed, listing the article once."""
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>{site.name}</title><link>{site.server.url("/")}</link><description>news</description>
<item><title>{TITLE}</title><link>{site.article_url}</link><guid>{site.article_url}</guid>
<pubDate>{site.published}</pubDate><description>Ferry fares rise.</description></item>
</channel></rss>""".encode()


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site, Site]]:
    """Three publications, one server each (distinct hosts); the content is set up here."""
    with FixtureServer() as a, FixtureServer() as b, FixtureServer() as c:
        origin = Site("Orchard Wire", a, "Fri, 20 Nov 2026 09:00:00 +0000", "2026-11-20T09:00:00Z")
        verbatim = Site(
            "Ledger Lantern", b, "Fri, 20 Nov 2026 10:00:00 +0000", "2026-11-20T10:00:00Z"
        )
        trimmed = Site("Signal Post", c, "Fri, 20 Nov 2026 08:45:00 +0000", "2026-11-20T08:45:00Z")
        named = (
            f'<p>The post <a href="{origin.article_url}">{TITLE}</a> appeared first on '
            f'<a href="{origin.server.url("/")}">Orchard Wire</a>.</p>'
        )
        contents = {
            origin: page(origin, PARAGRAPHS),
            verbatim: page(verbatim, PARAGRAPHS),
            trimmed: page(trimmed, PARAGRAPHS[:4] + PARAGRAPHS[5:], footer=named),
        }
        for site, content in contents.items():
            site.server.routes["/feed.xml"] = Route(feed(site), content_type="application/rss+xml")
            site.server.routes["/news/ferry-fares"] = Route(content)
        yield origin, verbatim, trimmed


def ingest(db: Database, settings: Settings, sites: list[Site]) -> None:
    """Poll each site's feed with the real pipeline, one site after another, in this order."""
    with db.session() as session:
        ids = [source_store.add_source(session, s.feed_url, s.name).id for s in sites]
    for source_id in ids:  # one at a time: the order the copies arrive in is the test's
        reports = ingest_due(db, settings, [source_id])
        assert [(r.status, r.failed) for r in reports] == [("ok", [])]


ORDERS = [
    pytest.param("OLT", id="origin-first"),
    pytest.param("OTL", id="origin-then-trimmed"),
    pytest.param("LOT", id="verbatim-first"),
    pytest.param("TOL", id="trimmed-first"),
    pytest.param("LTO", id="origin-last"),
    pytest.param("TLO", id="origin-last-trimmed-first"),
]


@pytest.mark.parametrize("order", ORDERS)
def test_three_sites_carrying_one_article_show_as_one_story_with_its_origin(
    order: str, settings: Settings, db: Database, sites: tuple[Site, Site, Site]
) -> None:
    """Whatever order the pages arrive in (O origin, L verbatim reprint, T trimmed copy)."""
    origin, verbatim, trimmed = sites
    ingest(db, settings, [{"O": origin, "L": verbatim, "T": trimmed}[key] for key in order])
    with AppServer(create_app(settings, db)) as server:
        check_reader(server.base_url, origin, verbatim, trimmed)


def check_reader(reader: str, origin: Site, verbatim: Site, trimmed: Site) -> None:
    """One story carried by three sources, the origin marked, copies listed, JSON fields."""

    # Three pages, three rows, each in its own words; the article list shows the family once.
    listing = httpx.get(reader + "/api/articles").json()
    assert [item["url"] for item in listing["items"]] == [origin.article_url]
    original = httpx.get(f"{reader}/api/articles/{listing['items'][0]['id']}").json()
    assert original["duplicate_of"] is None and original["origin"] is None
    assert original["site_name"] == "Orchard Wire"

    # The API: one story, three pages, the origin marked with its two copies.
    stories = httpx.get(reader + "/api/stories").json()
    assert stories["total"] == 1
    (story,) = stories["items"]
    assert story["id"] == original["story_id"]
    assert story["source_count"] == 3 and story["article_count"] == 3
    assert story["representative"]["id"] == original["id"]
    assert story["carriers"][0] == {
        "name": "Orchard Wire", "role": "original", "copies": 2, "is_origin": True,
    }  # fmt: skip
    assert {(c["name"], c["role"]) for c in story["carriers"][1:]} == {
        ("Ledger Lantern", "copy"),
        ("Signal Post", "copy"),
    }
    (entry,) = httpx.get(f"{reader}/api/stories/{story['id']}").json()["timeline"]
    assert (entry["url"], entry["role"], entry["is_origin"]) == (
        origin.article_url, "original", True,
    )  # fmt: skip
    assert {c["url"] for c in entry["copies"]} == {verbatim.article_url, trimmed.article_url}
    copy_id = next(c["article_id"] for c in entry["copies"] if c["url"] == trimmed.article_url)
    copy = httpx.get(f"{reader}/api/articles/{copy_id}").json()
    assert copy["duplicate_of"] == original["id"] and copy["story_id"] == original["story_id"]
    assert copy["origin"] == {"name": "Orchard Wire", "url": origin.article_url}
    assert copy["site_name"] == "Signal Post"
    assert "appeared first on" not in copy["text"]

    # The home page lists the story once, carried by three sources, the original first.
    home = httpx.get(reader + "/").text
    assert home.count(f'href="/stories/{story["id"]}"') == 1
    carried = re.sub(r"\s+", " ", home)
    assert "Carried by 3 sources: Orchard Wire" in carried
    assert ">original · 2 copies</span>" in carried
    assert "Ledger Lantern" in carried and "Signal Post" in carried

    # Each article page lists the rest of its family.
    for article, others in (
        (original, {verbatim.article_url, trimmed.article_url}),
        (copy, {origin.article_url, verbatim.article_url}),
    ):
        article_page = httpx.get(f"{reader}/articles/{article['id']}").text
        section = article_page.split('id="copies-heading"', 1)[1].split("</section>", 1)[0]
        assert set(re.findall(r'<a class="muted small" href="([^"]+)"', section)) == others
    copy_page = httpx.get(f"{reader}/articles/{copy['id']}").text
    assert "Originally published by" in copy_page
