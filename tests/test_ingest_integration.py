"""End to end: real HTTP servers on 127.0.0.1 → fetch → parse → extract → SQLite."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import func, select

from tests.support.cli import run_cli
from tests.support.httpserver import FixtureServer, Route
from wirebrief.demo.server import NewsroomServer
from wirebrief.feeds.parser import parse_feed
from wirebrief.pipeline import ingest_due
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, FetchAttempt

ARTICLE_PAGE = """<!DOCTYPE html><html lang="en"><head><title>{title}</title>
<meta property="article:published_time" content="2026-11-20T09:30:00+01:00"></head>
<body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>
<p>{body} The committee met on Tuesday and agreed on the plan after a long debate.</p>
<p>Analysts said the decision would shape the quarter, and traders watched the numbers.</p>
</article><footer>Copyright</footer></body></html>"""


def rss(items: list[tuple[str, str]], base: str) -> bytes:
    """An RSS 2.0 feed with one item per (path, title)."""
    entries = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>Fri, 20 Nov 2026 08:30:00 +0000</pubDate><description>{title}</description></item>"
        for path, title in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Fixture</title>'
        f"<link>{base}/</link><description>d</description>{entries}</channel></rss>"
    ).encode()


@pytest.fixture(scope="module")
def newsroom() -> Iterator[NewsroomServer]:
    with NewsroomServer() as server:
        yield server


def newsroom_entry_urls(newsroom: NewsroomServer) -> set[str]:
    urls: set[str] = set()
    for _name, feed_url in newsroom.feed_urls():
        parsed = parse_feed(httpx.get(feed_url).content, feed_url)
        urls.update(entry.url for entry in parsed.entries)
    return urls


def count(db: Database, model: type, *where: object) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_cli_fetch_ingests_the_whole_sample_newsroom(
    newsroom: NewsroomServer, settings: Settings, tmp_path
) -> None:
    url = settings.database_url
    assert run_cli("init", database_url=url).returncode == 0
    for name, feed_url in newsroom.feed_urls():
        added = run_cli("sources", "add", feed_url, "--name", name, database_url=url)
        assert added.returncode == 0, added.stderr
    first = run_cli("fetch", database_url=url)
    assert first.returncode == 0, first.stderr
    assert "Fetch summary" in first.stdout

    db = Database(url)
    expected = newsroom_entry_urls(newsroom)
    assert len(expected) >= 30
    with db.session() as session:
        stored = {a.url: a for a in session.scalars(select(Article))}
        assert set(stored) == expected  # every entry is stored once, in its own row
        for article in stored.values():
            assert article.text and article.title and article.html
            assert article.published_at is not None and article.published_at.tzinfo is not None
            assert article.reading_minutes >= 1
            assert "appeared first on" not in article.text
            assert "<script" not in article.html
        copies = [a for a in stored.values() if a.duplicate_of is not None]
        assert len(copies) >= 6  # the newsroom's syndicated copies
        by_id = {a.id: a for a in stored.values()}
        for copy in copies:
            assert by_id[copy.duplicate_of].duplicate_of is None  # points at the origin itself

    # Forcing every source again finds nothing new and writes no duplicate row.
    forced = [arg for i in range(len(newsroom.feed_urls())) for arg in ("--source", str(i + 1))]
    again = run_cli("fetch", *forced, database_url=url)
    assert again.returncode == 0, again.stderr
    assert count(db, Article) == len(expected)
    with db.session() as session:
        sources = source_store.list_sources(session)
        assert all(s.last_status in {"ok", "not_modified"} for s in sources)


def test_bad_sources_fail_with_reasons_and_good_ones_go_on(
    settings: Settings, db: Database
) -> None:
    big = b"<rss>" + b"x" * (settings.max_body_bytes + 10) + b"</rss>"
    latin1 = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Caf\xe9</title>'
        "<item><title>R\xe9sum\xe9 of the day</title><link>{base}/latin1-article</link>"
        "</item></channel></rss>"
    )
    routes = {
        "/malformed.xml": Route(b"<rss><channel><title>Broken", content_type="application/rss+xml"),
        "/empty.xml": Route(b"", content_type="application/rss+xml"),
        "/huge.xml": Route(big, content_type="application/rss+xml"),
        "/huge-chunked.xml": Route(
            big, content_type="application/rss+xml", send_length=False, chunks=64
        ),
        "/slow.xml": Route(b"<rss/>", delay_s=3.0, content_type="application/rss+xml"),
        "/error.xml": Route(b"oops", status=500, content_type="text/plain"),
        "/page.html": Route(b"<html><body><p>just a page</p></body></html>"),
        "/gzip-garbage.xml": Route(b"not gzip", headers={"Content-Encoding": "gzip"}),
        "/missing-pages.xml": Route(b"", content_type="application/rss+xml"),
        "/latin1.xml": Route(b"", content_type="application/rss+xml"),
        "/good.xml": Route(b"", content_type="application/rss+xml"),
    }
    with FixtureServer(routes) as server:
        base = server.base_url
        routes["/latin1.xml"].body = latin1.format(base=base).encode("latin-1")
        routes["/latin1-article"] = Route(
            ARTICLE_PAGE.format(title="Résumé of the day", body="Déjà vu at the café.").encode(
                "latin-1"
            ),
            content_type="text/html; charset=ISO-8859-1",
        )
        routes["/missing-pages.xml"].body = rss([("/gone", "Gone article")], base)
        routes["/good.xml"].body = rss([("/a1", "First story"), ("/a2", "Second story")], base)
        for path, title in (("/a1", "First story"), ("/a2", "Second story")):
            routes[path] = Route(ARTICLE_PAGE.format(title=title, body=f"{title} text.").encode())

        with db.session() as session:
            ids = {
                path: source_store.add_source(session, server.url(path), path).id
                for path in routes
                if path.endswith((".xml", ".html"))
            }
        slow = settings.with_overrides(read_timeout_s=0.5)
        reports = {r.name: r for r in ingest_due(db, slow, list(ids.values()))}

    assert reports["/good.xml"].new == 2
    assert reports["/latin1.xml"].new == 1
    assert reports["/malformed.xml"].status == "failed" or reports["/malformed.xml"].feed_problem
    assert "empty" in reports["/empty.xml"].error
    assert "cap" in reports["/huge.xml"].error
    assert "cap" in reports["/huge-chunked.xml"].error
    assert "timed out" in reports["/slow.xml"].error
    assert "HTTP 500" in reports["/error.xml"].error
    assert "not an RSS, Atom or JSON feed" in reports["/page.html"].error
    assert "decode" in reports["/gzip-garbage.xml"].error
    assert (
        reports["/missing-pages.xml"].failed
        and "HTTP 404" in reports["/missing-pages.xml"].failed[0][1]
    )

    with db.session() as session:
        latin = session.scalars(
            select(Article).where(Article.url.endswith("/latin1-article"))
        ).one()
        assert latin.title == "Résumé of the day"
        assert "Déjà vu at the café" in latin.text
        reasons = set(
            session.scalars(
                select(FetchAttempt.error_reason).where(FetchAttempt.outcome == "failed")
            )
        )
    assert {"too_large", "timeout", "http_error"} <= reasons


def test_reingest_updates_changed_entries_and_keeps_data_when_source_breaks(
    settings: Settings, any_db: Database
) -> None:
    db = any_db
    routes: dict[str, Route] = {}
    with FixtureServer(routes) as server:
        base = server.base_url
        routes["/feed.xml"] = Route(
            rss([("/story", "Original headline")], base), content_type="application/rss+xml"
        )
        routes["/story"] = Route(
            ARTICLE_PAGE.format(title="Original headline", body="Version one.").encode()
        )
        with db.session() as session:
            source_id = source_store.add_source(session, server.url("/feed.xml"), "fixture").id
        (first,) = ingest_due(db, settings, [source_id])
        assert (first.new, first.updated, first.unchanged) == (1, 0, 0)

        (same,) = ingest_due(db, settings, [source_id])
        assert (same.new, same.updated, same.unchanged) == (0, 0, 1)

        routes["/feed.xml"].body = rss([("/story", "Corrected headline")], base)
        routes["/story"].body = ARTICLE_PAGE.format(
            title="Corrected headline", body="Version two."
        ).encode()
        (changed,) = ingest_due(db, settings, [source_id])
        assert (changed.new, changed.updated) == (0, 1)

        routes["/feed.xml"] = Route(
            gzip.compress(b"\x00garbage"), content_type="application/rss+xml"
        )
        (broken,) = ingest_due(db, settings, [source_id])
        assert broken.status == "failed"

    with db.session() as session:
        (article,) = session.scalars(select(Article)).all()
        assert article.title == "Corrected headline"
        assert "Version two." in article.text
        source = source_store.get_source(session, source_id)
        assert source.consecutive_failures == 1 and source.last_error
