"""Every surface tells the truth, over the whole sample newsroom.

The newsroom (five publications, originals, exact and near copies, copies of copies, copies
dated before their origin) is ingested from a fresh database with its feeds read one after
another in two orders, and all in one fetch. Then, on each: every stored field is its own
page's; every order stored the same rows; no list shows two members of one copy family
(home, story, source and asset pages, the API's lists, feeds, related lists, search,
alerts); every story counts its pages; every source page shows what its source carried, as
the fetch summary and ``/sources`` say; labels mean what they say.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import LOOPBACK_ONLY
from tests.support.appserver import AppServer
from wirebrief.alerts.runner import queue_matches
from wirebrief.demo.server import NewsroomServer
from wirebrief.demo.site import Article as DemoArticle
from wirebrief.demo.site import load_newsroom
from wirebrief.pipeline import SourceReport, ingest_due
from wirebrief.settings import Settings
from wirebrief.storage import alerts as alert_store
from wirebrief.storage import related as related_store
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import AlertDelivery, Article
from wirebrief.web.app import create_app

# One feed after another, in two orders; and every feed in one fetch, as `wirebrief demo` does.
ORDERS = ("forward", "reversed", "at once")
QUERIES = ("bitcoin", "nvidia", "korvex", "tesla", "gold", "solana", "silver", "quarter")
# An entry in a list of articles: a card's heading linking to the article.
_ENTRY = re.compile(r'<h[23]>(?:<span class="carried">Carried:</span> )?<a href="/articles/(\d+)">')
_STORY = re.compile(r'<h2><a href="/stories/(\d+)">')


@dataclass
class Desk:
    """One ingest of the newsroom: its database, the reader serving it, and what it stored."""

    db: Database
    reader: str
    reports: list[SourceReport]
    family: dict[int, int]  # article id → its family (its origin's id)

    def get(self, path: str, **params: object) -> httpx.Response:
        response = httpx.get(self.reader + path, params=params, timeout=30)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def pages(self, path: str, pattern: re.Pattern[str]) -> list[int]:
        """Every entry of a paged HTML list, following its "Older" links."""
        found, page = [], 1
        while True:
            html = self.get(path, page=page).text
            found += [int(n) for n in pattern.findall(html)]
            if 'rel="next"' not in html:
                return found
            page += 1

    def api_pages(self, path: str, **params: object) -> list[dict]:
        """Every item of a paged API list."""
        items: list[dict] = []
        while True:
            body = self.get(path, limit=100, offset=len(items), **params).json()
            items += body["items"]
            if len(items) >= body["total"] or not body["items"]:
                return items


@pytest.fixture(scope="module")
def desks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Desk]]:
    with ExitStack() as stack:
        newsroom = stack.enter_context(NewsroomServer())
        desks = {}
        for order in ORDERS:
            path = tmp_path_factory.mktemp(order) / "wirebrief.db"
            settings = Settings(
                database_url=f"sqlite:///{path}", allowed_private_networks=LOOPBACK_ONLY,
                per_host_delay_s=0.0, extract_workers=0,
            )  # fmt: skip
            db = Database(settings.database_url)
            db.upgrade()
            stack.callback(db.dispose)
            reports = _ingest(db, settings, newsroom, order)
            with db.session() as session:
                family = {a.id: a.duplicate_of or a.id for a in session.scalars(select(Article))}
            server = stack.enter_context(AppServer(create_app(settings, db)))
            desks[order] = Desk(db, server.base_url, reports, family)
        yield desks


def _ingest(
    db: Database, settings: Settings, newsroom: NewsroomServer, order: str
) -> list[SourceReport]:
    """Read the feeds in ``order``, with an alerts pass after each fetch (as ``wirebrief run``
    does between polls); a saved search with a webhook waits for matches."""
    feeds = newsroom.feed_urls()
    if order == "reversed":
        feeds.reverse()
    with db.session() as session:
        ids = [source_store.add_source(session, url, name).id for name, url in feeds]
        saved = alert_store.add_saved_search(session, "Crypto desk", "bitcoin OR korvex")
        alert_store.add_webhook(session, saved, "http://127.0.0.1:9/hook", "s3cret")
    reports = []
    for fetch in [ids] if order == "at once" else [[source_id] for source_id in ids]:
        reports += ingest_due(db, settings, fetch)
        queue_matches(db, datetime.now(UTC))
    return reports


def _own_page(url: str) -> DemoArticle:
    path = "/" + url.split("/", 3)[3]
    return {a.path: a for a in load_newsroom().articles}[path]


# ── each article in its own words ──


def test_every_stored_field_is_its_own_pages(desks: dict[str, Desk]) -> None:
    for desk in desks.values():
        with desk.db.session() as session:
            stored = list(session.scalars(select(Article)))
        assert len(stored) == len(load_newsroom().articles)  # every page its own row
        for article in stored:
            page = _own_page(article.url)
            base = article.url.split(page.path)[0]
            canonical = page.origin if page.canonical_to_origin else page
            assert (article.title, article.description, article.author, article.site_name) == (
                page.title, page.summary, page.author, page.pub.name,
            ), article.url  # fmt: skip
            assert article.published_at == page.published, article.url
            assert article.canonical_url == base + canonical.path, article.url


def test_every_order_stores_the_same_rows_and_families(desks: dict[str, Desk]) -> None:
    seen = []
    for desk in desks.values():
        with desk.db.session() as session:
            rows = {a.id: a for a in session.scalars(select(Article))}
            related = related_store.related_scores(session, rows)
            seen.append(
                {
                    _path(a.url): (
                        a.title,
                        a.text,
                        a.content_hash,
                        a.published_at,
                        _path(rows[a.duplicate_of].url) if a.duplicate_of else None,
                        # its related list, whatever order its neighbours came in
                        sorted(_path(rows[r].url) for r in related.get(a.id, {})),
                    )
                    for a in rows.values()
                }
            )
    assert all(found == seen[0] for found in seen[1:])


def test_every_copy_points_at_the_publication_that_wrote_it(desks: dict[str, Desk]) -> None:
    for desk in desks.values():
        with desk.db.session() as session:
            rows = {a.id: a for a in session.scalars(select(Article))}
        for article in rows.values():
            page = _own_page(article.url)
            expected = None if page.origin is page else page.origin.path
            assert (_path(rows[article.duplicate_of].url) if article.duplicate_of else None) == (
                expected
            ), article.url


# ── one family, one entry, on every list ──


def lists(desk: Desk) -> dict[str, list[int]]:
    """Every list the reader shows, as the article ids of its entries."""
    found: dict[str, list[int]] = {}
    stories = desk.api_pages("/api/stories")
    found["api stories"] = [s["representative"]["id"] for s in stories]
    found["home"] = [
        representative
        for story_id in desk.pages("/", _STORY)
        for representative in [_representative(stories, story_id)]
    ]
    found["api articles"] = [a["id"] for a in desk.api_pages("/api/articles")]
    for story in stories:
        detail = desk.get(f"/api/stories/{story['id']}").json()
        found[f"story {story['id']} timeline"] = [e["article_id"] for e in detail["timeline"]]
        found[f"story {story['id']} page"] = [
            int(n) for n in re.findall(r'<br><a href="/articles/(\d+)">', desk.get(
                f"/stories/{story['id']}").text)
        ]  # fmt: skip
    for source in desk.get("/api/sources").json():
        sid = source["id"]
        found[f"source {sid} page"] = desk.pages(f"/sources/{sid}", _ENTRY)
        found[f"source {sid} api"] = [a["id"] for a in desk.api_pages("/api/articles", source=sid)]
        found[f"source {sid} feed"] = _feed_ids(desk, f"/feeds/sources/{sid}.json")
    linked = desk.get("/api/assets", linked="true", limit=500).json()["items"]
    for asset in linked:
        symbol = asset["symbol"]
        found[f"{symbol} page"] = [
            int(n) for n in _ENTRY.findall(desk.get(f"/assets/{symbol}").text)
        ]
        found[f"{symbol} api"] = [a["id"] for a in desk.api_pages(f"/api/assets/{symbol}/news")]
        found[f"{symbol} feed"] = _feed_ids(desk, f"/feeds/assets/{symbol}.json")
    found["stories feed"] = _feed_ids(desk, "/feeds/stories.json")
    for saved in desk.get("/api/searches").json():
        found[f"saved search {saved['id']} feed"] = _feed_ids(desk, saved["feeds"]["json"])
    for query in QUERIES:
        found[f"search {query}"] = [
            r["article"]["id"] for r in desk.get("/api/search", q=query, limit=100).json()["items"]
        ]
        found[f"search page {query}"] = desk.pages(f"/search?q={query}", _ENTRY)
    for article_id in desk.family:
        found[f"related {article_id}"] = [
            r["article"]["id"]
            for r in desk.get(f"/api/articles/{article_id}/related").json()["items"]
        ]
        html = desk.get(f"/articles/{article_id}").text
        related = html[html.find('<section class="related"') :] if "related-heading" in html else ""
        found[f"article {article_id} you may also like"] = [int(n) for n in _ENTRY.findall(related)]
    with desk.db.session() as session:
        found["alerts"] = list(session.scalars(select(AlertDelivery.article_id)))
    return found


def _representative(stories: list[dict], story_id: int) -> int:
    return next(s["representative"]["id"] for s in stories if s["id"] == story_id)


def _feed_ids(desk: Desk, url: str) -> list[int]:
    path = url.removeprefix(desk.reader)
    return [int(item["id"].rsplit("/", 1)[1]) for item in desk.get(path).json()["items"]]


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_no_list_shows_two_members_of_one_family(desks: dict[str, Desk]) -> None:
    for order, desk in desks.items():
        found = lists(desk)
        assert found["home"] and found["alerts"] and found["BTC page"]
        for name, ids in found.items():
            families = Counter(desk.family[i] for i in ids)
            twice = {f: n for f, n in families.items() if n > 1}
            assert not twice, f"{order}: {name} shows a family {twice} more than once: {ids}"
            # A source's list shows the copies it carried; an alert went out with what was
            # known then (a copy read before its origin), and never again for the family.
            if not name.startswith(("source ", "alerts")):
                copies = [i for i in ids if desk.family[i] != i]
                assert not copies, f"{order}: {name} shows copies {copies}, not their originals"


def test_bitcoin_reclaims_104000_shows_once_on_the_bitcoin_page(desks: dict[str, Desk]) -> None:
    for desk in desks.values():
        assert desk.get("/assets/BTC").text.count("Bitcoin Reclaims $104,000") == 1


# ── counts that agree ──


def test_every_story_counts_its_distinct_pages(desks: dict[str, Desk]) -> None:
    for desk in desks.values():
        with desk.db.session() as session:
            rows = list(session.scalars(select(Article).where(Article.hidden.is_(False))))
        for story in desk.api_pages("/api/stories"):
            timeline = desk.get(f"/api/stories/{story['id']}").json()["timeline"]
            urls = [e["url"] for e in timeline] + [c["url"] for e in timeline for c in e["copies"]]
            stored = {a.url for a in rows if a.story_id == story["id"]}
            assert story["article_count"] == len(set(urls)) == len(urls) == len(stored)
            assert story["source_count"] == len({e["source_name"] for e in timeline} | {
                c["source_name"] for e in timeline for c in e["copies"]})  # fmt: skip


def test_every_source_page_shows_what_it_carried(desks: dict[str, Desk]) -> None:
    for desk in desks.values():
        sources_page = desk.get("/sources").text
        with desk.db.session() as session:
            rows = list(session.scalars(select(Article).where(Article.hidden.is_(False))))
        for report in desk.reports:
            mine = [a for a in rows if a.source_id == report.source_id]
            originals = [a for a in mine if a.duplicate_of is None]
            shown = desk.pages(f"/sources/{report.source_id}", _ENTRY)
            assert {desk.family[i] for i in shown} == {desk.family[a.id] for a in mine}
            assert "Nothing here yet" not in desk.get(f"/sources/{report.source_id}").text
            # /sources and the source page say the same, and so does the summary of the fetch
            # that read every feed (a fetch of one feed counts what was known then).
            counted = (len(originals), len(mine) - len(originals))
            if desk is desks["at once"]:
                assert (report.new, report.copies) == counted
            row = sources_page[sources_page.index(f'href="/sources/{report.source_id}"') :]
            assert re.findall(r"<td>(\d+)</td>", row[: row.index("</tr>")]) == list(
                map(str, counted)
            )
            header = desk.get(f"/sources/{report.source_id}").text
            assert f"{counted[0]} article" in header and f"{counted[1]} cop" in header
            assert header.count('<span class="carried">Carried:</span>') == counted[1]


def test_items_per_day_come_from_publication_times(desks: dict[str, Desk]) -> None:
    for desk in desks.values():
        with desk.db.session() as session:
            stats = source_store.source_stats(session)
        assert all(s.items_per_day and s.items_per_day > 0.3 for s in stats.values())


# ── labels that mean what they say ──


def test_labels_mean_what_they_say(desks: dict[str, Desk]) -> None:
    for desk in desks.values():
        for story in desk.api_pages("/api/stories"):
            timeline = desk.get(f"/api/stories/{story['id']}").json()["timeline"]
            for entry in timeline:
                if entry["copies"]:
                    assert entry["role"] == "original" and entry["is_origin"]
                    assert {c["role"] for c in entry["copies"]} == {"copy"}
                else:
                    assert entry["role"] == ("coverage" if len(timeline) > 1 else "")
                    assert not entry["is_origin"]
            copies = {e["source_name"]: len(e["copies"]) for e in timeline if e["copies"]}
            for carrier in story["carriers"]:
                assert (carrier["role"] == "original") == (carrier["name"] in copies)
                assert carrier["copies"] == copies.get(carrier["name"], 0)
            html = desk.get(f"/stories/{story['id']}").text
            assert html.count("origin-badge") == sum(1 for e in timeline if e["copies"])
        home = desk.get("/").text
        for badge in re.findall(r'class="badge origin-badge"[^>]*>([^<]*)<', home):
            assert re.fullmatch(r"original · \d+ cop(y|ies)", badge)


def test_a_later_copy_never_alerts_again(desks: dict[str, Desk]) -> None:
    for desk in desks.values():
        with desk.db.session() as session:
            delivered = list(session.scalars(select(AlertDelivery.article_id)))
            queued_again = queue_matches(desk.db, datetime.now(UTC))
        assert queued_again == 0
        assert len({desk.family[i] for i in delivered}) == len(delivered)
