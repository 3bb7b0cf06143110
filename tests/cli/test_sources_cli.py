"""``wirebrief sources …`` as a user runs it: probing what a URL is, changing and listing.

Every command is the real ``wirebrief`` in a subprocess, against a real SQLite file and
publishers played by FixtureServers on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.cli import run_cli
from tests.support.httpserver import FixtureServer, Route
from wirebrief.cli.sources import source_row
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article
from wirebrief.storage.sources import SourceStats
from wirebrief.times import utcnow


def article_page(title: str, topic: str) -> bytes:
    """An article page without any feed link, with well over 15 words of text."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
        f"<p>{topic} was the talk of the trading floor on Tuesday, and the desk checked every "
        "figure twice before publishing.</p><p>Analysts said the move would shape the quarter, "
        "while traders watched the numbers closely.</p></article></body></html>"
    ).encode()


HOME_PAGE = b"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Orchard Wire - home</title>
<link rel="alternate" type="application/rss+xml" title="Orchard Wire feed" href="/feed.xml">
</head><body><h1>Orchard Wire</h1><p>Latest news from the orchard.</p></body></html>"""


def feed(base: str, paths: list[str], hours_apart: float = 12) -> bytes:
    """An RSS feed of recent items, ``hours_apart`` between them (for items/day)."""
    now = utcnow()
    items = "".join(
        f"<item><title>Story {path}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>{format_datetime(now - timedelta(hours=i * hours_apart + 1))}</pubDate>"
        f"<description>Story {path}</description></item>"
        for i, path in enumerate(paths)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Orchard Wire</title><link>{base}/</link><description>d</description>"
        f"{items}</channel></rss>"
    ).encode()


def news_sitemap(base: str, paths: list[str]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication><news:name>Harbor Street"
        "</news:name><news:language>en</news:language></news:publication>"
        "<news:publication_date>2026-11-20T09:30:00+01:00</news:publication_date>"
        f"<news:title>Sitemap story {path}</news:title></news:news></url>"
        for path in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}</urlset>"
    ).encode()


@pytest.fixture(autouse=True)
def quick_fetching(monkeypatch: pytest.MonkeyPatch) -> None:
    """No politeness delay between requests to the one fixture host, no process pool."""
    monkeypatch.setenv("WIREBRIEF_PER_HOST_DELAY", "0")
    monkeypatch.setenv("WIREBRIEF_EXTRACT_WORKERS", "0")


@pytest.fixture(scope="module")
def initialised_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `wirebrief init` per module; each test gets a copy (a subprocess costs a second)."""
    path = tmp_path_factory.mktemp("template") / "wirebrief.db"
    init = run_cli("init", database_url=f"sqlite:///{path}")
    assert init.returncode == 0, init.stderr
    return path


@pytest.fixture
def db_url(initialised_db: Path, tmp_path: Path) -> str:
    path = tmp_path / "wirebrief.db"
    shutil.copyfile(initialised_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    """A small publisher: home page with a feed link, feed, news sitemap, article pages."""
    routes: dict[str, Route] = {}
    with FixtureServer(routes) as server:
        base = server.base_url
        routes["/"] = Route(HOME_PAGE)
        routes["/feed.xml"] = Route(
            feed(base, ["/news/a", "/news/b"]), content_type="application/rss+xml"
        )
        routes["/news-sitemap.xml"] = Route(
            news_sitemap(base, ["/news/one", "/news/two", "/news/three"]),
            content_type="application/xml",
        )
        for name in ("a", "b", "one", "two", "three"):
            routes[f"/news/{name}"] = Route(article_page(f"Story {name}", f"The {name} story"))
        routes["/standalone"] = Route(article_page("A standalone report", "The standalone report"))
        yield server


def sources(db_url: str) -> list[dict[str, Any]]:
    """What `sources list --json` prints, read in this process (`list_json` runs the CLI)."""
    db = Database(db_url)
    try:
        with db.session() as session:
            stats = source_store.source_stats(session)
            return [
                source_row(source, stats.get(source.id, SourceStats()))
                for source in source_store.list_sources(session)
            ]
    finally:
        db.dispose()


def list_json(db_url: str) -> list[dict[str, Any]]:
    listed = run_cli("sources", "list", "--json", database_url=db_url)
    assert listed.returncode == 0, listed.stderr
    return json.loads(listed.stdout)


def stored_urls(db_url: str) -> set[str]:
    db = Database(db_url)
    try:
        with db.session() as session:
            return set(session.scalars(select(Article.url)))
    finally:
        db.dispose()


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_home_page_is_followed_through_its_link_rel_alternate(
    db_url: str, site: FixtureServer
) -> None:
    added = run_cli("sources", "add", site.url("/"), database_url=db_url)

    assert added.returncode == 0, added.stderr
    feed_url = site.url("/feed.xml")
    assert "through <link rel=alternate>" in added.stderr
    assert feed_url in added.stderr
    assert f"<{feed_url}> (feed)" in added.stdout
    (source,) = sources(db_url)
    assert (source["url"], source["kind"], source["name"]) == (feed_url, "feed", "Orchard Wire")


def test_feed_url_is_added_as_a_feed(db_url: str, site: FixtureServer) -> None:
    added = run_cli("sources", "add", site.url("/feed.xml"), database_url=db_url)

    assert added.returncode == 0, added.stderr
    assert "a feed with 2 items" in added.stderr
    (source,) = sources(db_url)
    assert (source["url"], source["kind"]) == (site.url("/feed.xml"), "feed")
    assert (source["health"], source["enabled"]) == ("new", True)


def test_news_sitemap_is_added_and_fetch_ingests_its_articles(
    db_url: str, site: FixtureServer
) -> None:
    added = run_cli("sources", "add", site.url("/news-sitemap.xml"), database_url=db_url)
    assert added.returncode == 0, added.stderr
    assert "(sitemap)" in added.stdout
    (source,) = sources(db_url)
    assert source["kind"] == "sitemap"

    fetched = run_cli("fetch", database_url=db_url)

    assert fetched.returncode == 0, fetched.stderr
    assert "Fetch summary" in fetched.stdout
    assert stored_urls(db_url) == {site.url(f"/news/{n}") for n in ("one", "two", "three")}
    (source,) = sources(db_url)
    assert (source["health"], source["last_status"], source["articles"]) == ("healthy", "ok", 3)


def test_plain_article_page_is_added_as_a_page_and_fetch_stores_it(
    db_url: str, site: FixtureServer
) -> None:
    added = run_cli("sources", "add", site.url("/standalone"), database_url=db_url)
    assert added.returncode == 0, added.stderr
    assert "no feed found" in added.stderr
    (source,) = sources(db_url)
    assert (source["kind"], source["name"]) == ("page", "A standalone report")

    fetched = run_cli("fetch", database_url=db_url)

    assert fetched.returncode == 0, fetched.stderr
    assert stored_urls(db_url) == {site.url("/standalone")}


def test_list_table_then_set_interval_and_disable_then_list_json(
    db_url: str, site: FixtureServer
) -> None:
    assert run_cli("sources", "add", site.url("/feed.xml"), database_url=db_url).returncode == 0
    assert run_cli("fetch", database_url=db_url).returncode == 0

    table = run_cli("sources", "list", database_url=db_url)

    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    header = next(line for line in lines if "health" in line)
    assert "items/day" in header
    row = next(line for line in lines if line.lstrip("│┃ ").startswith("1 "))
    assert "healthy" in row
    assert "0.3" in row  # 2 items in the last 7 days

    (source,) = sources(db_url)
    changed = run_cli(
        "sources", "set", str(source["id"]), "--interval", "30m", "--disable", database_url=db_url
    )

    assert changed.returncode == 0, changed.stderr
    assert "paused" in changed.stdout and "30m" in changed.stdout
    (listed,) = list_json(db_url)
    assert (listed["poll_interval_s"], listed["enabled"]) == (1800, False)
    bad = run_cli("sources", "set", str(source["id"]), "--interval", "5x", database_url=db_url)
    assert bad.returncode == 2 and "'5x' is not a duration" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert sources(db_url)[0]["poll_interval_s"] == 1800
    assert listed["health"] == "paused"
    assert listed["items_per_day"] == pytest.approx(2 / 7)
    assert listed["articles"] == 2


def test_explicit_kind_and_name_add_an_unreachable_feed_without_probing(db_url: str) -> None:
    url = f"http://127.0.0.1:{unused_port()}/feed.xml"

    added = run_cli("sources", "add", url, "--kind", "feed", "--name", "X", database_url=db_url)

    assert added.returncode == 0, added.stderr
    assert "could not read" not in added.stderr and "warning" not in added.stderr
    assert f"Added source 1: X <{url}> (feed)" in added.stdout
    (source,) = sources(db_url)
    assert (source["name"], source["url"], source["kind"]) == ("X", url, "feed")
    assert source["health"] == "new"


def test_bad_interval_exits_2_with_a_message(db_url: str) -> None:
    url = f"http://127.0.0.1:{unused_port()}/feed.xml"

    result = run_cli(
        "sources", "add", url, "--kind", "feed", "--name", "X", "--interval", "5x",
        database_url=db_url,
    )  # fmt: skip

    assert result.returncode == 2
    assert "'5x' is not a duration" in result.stderr
    assert "Traceback" not in result.stderr
    assert sources(db_url) == []


def test_attempts_show_the_feed_and_each_page_with_why_one_failed(
    db_url: str, site: FixtureServer
) -> None:
    site.routes["/feed.xml"] = Route(
        feed(site.base_url, ["/news/a", "/news/gone"]), content_type="application/rss+xml"
    )
    assert run_cli("sources", "add", site.url("/feed.xml"), database_url=db_url).returncode == 0
    assert run_cli("fetch", database_url=db_url).returncode == 0

    listed = run_cli("sources", "attempts", "1", "--json", database_url=db_url)

    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    by_url = {row["url"]: row for row in rows}
    assert by_url[site.url("/feed.xml")]["outcome"] == "ok"
    assert (by_url[site.url("/news/a")]["outcome"], by_url[site.url("/news/a")]["kind"]) == (
        "ok", "page",
    )  # fmt: skip
    gone = by_url[site.url("/news/gone")]
    assert (gone["outcome"], gone["reason"], gone["http_status"]) == ("failed", "http_error", 404)
    failed = run_cli("sources", "attempts", "1", "--failed", "--json", database_url=db_url)
    assert [row["url"] for row in json.loads(failed.stdout)] == [site.url("/news/gone")]
    table = run_cli("sources", "attempts", "1", database_url=db_url)
    assert "http_error" in table.stdout and "HTTP 404" in table.stdout
    unknown = run_cli("sources", "attempts", "9", database_url=db_url)
    assert unknown.returncode == 1 and "there is no source 9" in unknown.stderr
    assert "Traceback" not in unknown.stderr
