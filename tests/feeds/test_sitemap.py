"""XML sitemaps: plain, Google News and index documents, gzip, and hostile XML."""

from __future__ import annotations

import gzip
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wirebrief.errors import FeedError
from wirebrief.feeds.parser import FeedEntry
from wirebrief.feeds.sitemap import Sitemap, looks_like_sitemap, parse_sitemap

TESTDATA = Path(__file__).parent / "testdata"


def read(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def test_plain_urlset_keeps_http_locs_once_with_lastmod_as_updated() -> None:
    sitemap = parse_sitemap(
        read("sitemap-urlset-mixed-locs.xml"), "https://lantern-post.example/s.xml"
    )

    assert sitemap.children == []
    assert sitemap.problem is None
    assert [entry.url for entry in sitemap.entries] == [
        "https://lantern-post.example/2026/03/tram-line-extension",
        "https://lantern-post.example/2026/03/harbour-bridge-repaint",
        "http://lantern-post.example/2026/03/library-opening-hours?ref=map&page=2",
        "https://lantern-post.example/2026/02/ferry-timetable",
    ]
    first = sitemap.entries[0]
    assert first == FeedEntry(
        url="https://lantern-post.example/2026/03/tram-line-extension",
        guid="https://lantern-post.example/2026/03/tram-line-extension",
        title="",
        author=None,
        published=None,
        # The first occurrence wins; its +01:00 offset is converted to UTC.
        updated=datetime(2026, 3, 14, 8, 30, tzinfo=UTC),
        summary="",
        content_html="",
    )
    updated = [entry.updated for entry in sitemap.entries]
    assert updated[1:] == [
        datetime(2026, 3, 13, tzinfo=UTC),  # date only
        None,  # "not a date"
        datetime(2026, 2, 1, tzinfo=UTC),  # year and month only
    ]


def test_google_news_sitemap_gives_title_and_publication_date() -> None:
    sitemap = parse_sitemap(
        read("sitemap-google-news.xml"), "https://quayside-courier.example/n.xml"
    )

    assert [(entry.title, entry.published, entry.updated) for entry in sitemap.entries] == [
        (
            "Council approves cycle lanes & a new crossing",
            datetime(2026, 4, 2, 21, 45, tzinfo=UTC),
            datetime(2026, 4, 2, 22, 0, tzinfo=UTC),
        ),
        ("Market hall reopens <after> repairs", datetime(2026, 4, 1, tzinfo=UTC), None),
    ]
    assert all(entry.published.tzinfo is UTC for entry in sitemap.entries if entry.published)


def test_urlset_without_namespace_is_read() -> None:
    body = b"<urlset><url><loc>https://bare.example/a</loc><lastmod>2026-01-02T03:04:05</lastmod></url></urlset>"

    sitemap = parse_sitemap(body, "https://bare.example/sitemap.xml")

    assert [(entry.url, entry.updated) for entry in sitemap.entries] == [
        ("https://bare.example/a", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    ]


def test_sitemap_index_lists_children_newest_first_undated_last() -> None:
    sitemap = parse_sitemap(
        read("sitemap-index-unordered-lastmod.xml"), "https://g.example/index.xml"
    )

    assert sitemap.entries == []
    assert sitemap.problem is None
    assert sitemap.children == [
        "https://greenbank-bulletin.example/sitemaps/news.xml",
        "https://greenbank-bulletin.example/sitemaps/2026-02.xml.gz",
        "https://greenbank-bulletin.example/sitemaps/2026-01.xml",
        "https://greenbank-bulletin.example/sitemaps/2025-12.xml",
        "https://greenbank-bulletin.example/sitemaps/undated.xml",
    ]


def test_sitemap_index_keeps_at_most_max_children_and_says_so() -> None:
    items = "".join(
        f"<sitemap><loc>https://big.example/s{day:02}.xml</loc><lastmod>2026-01-{day:02}</lastmod></sitemap>"
        for day in range(1, 31)
    )
    body = (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    )

    sitemap = parse_sitemap(body.encode(), "https://big.example/index.xml", max_children=3)

    assert sitemap.children == [
        "https://big.example/s30.xml",
        "https://big.example/s29.xml",
        "https://big.example/s28.xml",
    ]
    assert sitemap.problem == "kept the newest 3 of 30 child sitemaps"
    assert len(parse_sitemap(body.encode(), "https://big.example/index.xml").children) == 30


def test_gzipped_sitemap_is_decompressed() -> None:
    plain = read("sitemap-google-news.xml")

    sitemap = parse_sitemap(gzip.compress(plain), "https://quayside-courier.example/news.xml.gz")

    assert sitemap == parse_sitemap(plain, "https://quayside-courier.example/news.xml")
    assert len(sitemap.entries) == 2


def test_xml_gz_url_with_an_already_decoded_body_is_read_as_xml() -> None:
    """Servers often send .xml.gz with Content-Encoding: gzip, so the client already inflated it."""
    sitemap = parse_sitemap(read("sitemap-google-news.xml"), "https://q.example/news.xml.gz")

    assert len(sitemap.entries) == 2


def test_gzip_bomb_stops_at_max_bytes() -> None:
    padding = b"<!--" + b" " * (2 * 1024 * 1024) + b"-->"
    bomb = gzip.compress(read("sitemap-google-news.xml").replace(b"<urlset", padding + b"<urlset"))
    assert len(bomb) < 10_000  # tiny on the wire

    with pytest.raises(FeedError, match="larger than 1048576 bytes once decompressed"):
        parse_sitemap(bomb, "https://bomb.example/sitemap.xml.gz", max_bytes=1024 * 1024)


def test_plain_body_over_max_bytes_is_refused() -> None:
    with pytest.raises(FeedError, match="larger than 100 bytes"):
        parse_sitemap(read("sitemap-google-news.xml"), "https://q.example/s.xml", max_bytes=100)


def test_corrupt_and_truncated_gzip_raise_feed_error() -> None:
    packed = gzip.compress(read("sitemap-google-news.xml"))

    with pytest.raises(FeedError, match="truncated"):
        parse_sitemap(packed[: len(packed) // 2], "https://q.example/s.xml.gz")
    with pytest.raises(FeedError, match="corrupt"):
        parse_sitemap(packed[:10] + b"\x00" * 40, "https://q.example/s.xml.gz")


def test_concatenated_gzip_members_are_all_read() -> None:
    document = read("sitemap-google-news.xml")
    half = len(document) // 2

    sitemap = parse_sitemap(
        gzip.compress(document[:half]) + gzip.compress(document[half:]),
        "https://q.example/s.xml.gz",
    )

    assert len(sitemap.entries) == 2


def test_external_entity_is_not_resolved() -> None:
    hostname = Path("/etc/hostname")
    secret = hostname.read_text().strip() if hostname.exists() else "no-hostname-file"

    sitemap = parse_sitemap(read("sitemap-external-entity.xml"), "https://leak.example/s.xml")

    # The loc with an entity in it would be a different URL without it: dropped entirely.
    assert [entry.url for entry in sitemap.entries] == ["https://leak.example/news/plain-page"]
    assert sitemap.entries[0].title == "Host is today"
    assert secret not in repr(sitemap)
    assert sitemap.problem is not None and "entity" in sitemap.problem


def test_billion_laughs_is_not_expanded_and_returns_quickly() -> None:
    started = time.process_time()

    sitemap = parse_sitemap(read("sitemap-billion-laughs.xml"), "https://laughs.example/s.xml")

    assert time.process_time() - started < 1.0
    assert [(entry.url, entry.title) for entry in sitemap.entries] == [
        ("https://laughs.example/news/ordinary", "")
    ]
    assert "lol" not in repr(sitemap.entries)
    assert sitemap.problem is not None and "entity declarations" in sitemap.problem


def test_billion_laughs_in_utf16_is_refused_or_unexpanded() -> None:
    """A DOCTYPE the byte-level strip cannot see still never expands, and never hangs."""
    text = read("sitemap-billion-laughs.xml").decode().replace("?>", ' encoding="UTF-16"?>', 1)
    started = time.process_time()

    try:
        sitemap = parse_sitemap(text.encode("utf-16"), "https://laughs.example/s.xml")
    except FeedError as exc:
        assert "safety limits" in str(exc)
    else:
        assert "lollol" not in repr(sitemap)
    assert time.process_time() - started < 1.0


def test_truncated_document_keeps_whole_urls_and_drops_the_cut_one() -> None:
    sitemap = parse_sitemap(
        read("sitemap-truncated-mid-url.xml"), "https://tram-watch.example/s.xml"
    )

    assert [entry.url for entry in sitemap.entries] == [
        "https://tram-watch.example/lines/4-night-service",
        "https://tram-watch.example/lines/7-diversion",
    ]
    assert sitemap.problem is not None
    assert sitemap.problem.startswith("malformed XML")
    assert "dropped the last record" in sitemap.problem


def test_document_cut_right_after_a_url_keeps_that_url() -> None:
    body = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://cut.example/a</loc></url><url><loc>https://cut.example/b</loc></url>"
    )

    sitemap = parse_sitemap(body, "https://cut.example/s.xml")

    assert [entry.url for entry in sitemap.entries] == [
        "https://cut.example/a",
        "https://cut.example/b",
    ]
    assert sitemap.problem is not None and "dropped" not in sitemap.problem


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("rss-2.0-basic.xml", "root element is <rss>"),
        ("atom-1.0-basic.xml", "root element is <feed>"),
        ("page-not-a-feed.html", "not a sitemap"),
    ],
)
def test_other_documents_are_not_sitemaps(name: str, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_sitemap(read(name), f"https://other.example/{name}")


@pytest.mark.parametrize("body", [b"", b"   \n", b"\x00\x01\x02binary", b'{"json": true}'])
def test_unreadable_bodies_raise_feed_error(body: bytes) -> None:
    with pytest.raises(FeedError, match=re.escape("https://x.example/s.xml")):
        parse_sitemap(body, "https://x.example/s.xml")


@pytest.mark.parametrize(
    "name",
    [
        "sitemap-urlset-mixed-locs.xml",
        "sitemap-google-news.xml",
        "sitemap-index-unordered-lastmod.xml",
        "sitemap-billion-laughs.xml",
        "sitemap-external-entity.xml",
    ],
)
def test_looks_like_sitemap_accepts_sitemaps_plain_and_gzipped(name: str) -> None:
    assert looks_like_sitemap(read(name))
    assert looks_like_sitemap(gzip.compress(read(name)))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>",
        b"<!-- <urlset> in a comment --><feed xmlns='http://www.w3.org/2005/Atom'/>",
        b"<!doctype html><html><body>urlset</body></html>",
        b"\x1f\x8bnot really gzip",
        gzip.compress(b"<opml version='2.0'/>"),
        b" " * 4096 + b"<urlset>",  # the root element must show up in the first 2 KB
    ],
)
def test_looks_like_sitemap_rejects_other_documents(body: bytes) -> None:
    assert not looks_like_sitemap(body)


def test_looks_like_sitemap_accepts_a_prefixed_root_after_comments() -> None:
    body = b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- generated -->\n<sm:sitemapindex xmlns:sm='x'/>"
    assert looks_like_sitemap(body)
    assert parse_sitemap(body, "https://p.example/s.xml") == Sitemap([], [], None)


@pytest.mark.parametrize(
    "body",
    [
        b"<?a?>" * 100_000 + b"x",  # many processing instructions: no backtracking blow-up
        b"<!--" * 100_000,
        b"<!DOCTYPE urlset [" + b"]" * 100_000,
    ],
)
def test_hostile_prologs_fail_fast(body: bytes) -> None:
    started = time.process_time()

    with pytest.raises(FeedError):
        parse_sitemap(body, "https://slow.example/s.xml")
    looks_like_sitemap(body)

    assert time.process_time() - started < 1.0
