"""Feed discovery from <link rel="alternate"> tags, including broken and hostile pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirebrief.feeds.discovery import DiscoveredFeed, discover_feeds

TESTDATA = Path(__file__).parent / "testdata"
PAGE_URL = "https://harbour-notes.example/2026/05/tide-tables/"


def read(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def test_site_feeds_come_first_in_document_order_then_comment_feeds() -> None:
    feeds = discover_feeds(read("discovery-wordpress-style-head.html"), PAGE_URL)

    assert feeds == [
        DiscoveredFeed(
            "https://harbour-notes.example/feed/", "Harbour Notes » Feed", "application/rss+xml"
        ),
        DiscoveredFeed(
            "https://harbour-notes.example/feed/atom/",
            "Harbour Notes (Atom)",
            "application/atom+xml",
        ),
        # A <link> in the body still counts: HTML parsers put it where they can.
        DiscoveredFeed(
            "https://harbour-notes.example/feed.json",
            "Harbour Notes JSON Feed",
            "application/feed+json",
        ),
        DiscoveredFeed(
            "https://harbour-notes.example/comments/feed/",
            "Harbour Notes » Comments Feed",
            "application/rss+xml",
        ),
        DiscoveredFeed(
            "https://harbour-notes.example/2026/05/tide-tables/feed/",
            "Harbour Notes » Tide tables explained Comments Feed",
            "application/rss+xml",
        ),
    ]


def test_wordpress_rest_links_and_oembed_are_not_feeds() -> None:
    urls = [
        feed.url for feed in discover_feeds(read("discovery-wordpress-style-head.html"), PAGE_URL)
    ]

    assert not any("wp-json" in url for url in urls)


def test_base_href_rel_tokens_case_and_media_type_parameters() -> None:
    feeds = discover_feeds(
        read("discovery-base-href-and-rel-tokens.html"), "https://tram-watch.example/"
    )

    assert feeds == [
        # rel is a token list in any case; type parameters and case are ignored;
        # titles have their whitespace collapsed; hrefs are stripped and resolved against <base>.
        DiscoveredFeed(
            "https://cdn.tram-watch.example/site/feeds/all.rss",
            "Tram Watch updates",
            "application/rss+xml",
        ),
        DiscoveredFeed("https://cdn.tram-watch.example/rdf/index.rdf", None, "application/rdf+xml"),
        DiscoveredFeed("https://mirror.tram-watch.example/atom.xml", None, "application/atom+xml"),
        DiscoveredFeed(
            "https://cdn.tram-watch.example/api/latest.json", "Latest as JSON", "application/json"
        ),
    ]


def test_relative_base_href_is_resolved_against_the_page_url() -> None:
    html = '<head><base href="/blog/"><link rel="alternate" type="application/atom+xml" href="atom.xml"></head>'

    feeds = discover_feeds(html, "https://ink.example/blog/post/1")

    assert [feed.url for feed in feeds] == ["https://ink.example/blog/atom.xml"]


def test_charset_from_meta_decodes_titles() -> None:
    feeds = discover_feeds(read("discovery-latin1-title.html"), "https://cafe.example/")

    assert feeds == [
        DiscoveredFeed(
            "https://cafe.example/rss.xml", "Café Crème - Nouvelles", "application/rss+xml"
        )
    ]


def test_undeclared_utf8_bytes_are_read_as_utf8() -> None:
    html = '<link rel="alternate" type="application/rss+xml" title="Zürich Bürgerblatt" href="/f">'

    feeds = discover_feeds(html.encode("utf-8"), "https://z.example/")

    assert feeds[0].title == "Zürich Bürgerblatt"


def test_str_input_with_xml_declaration_is_accepted() -> None:
    html = (
        '<?xml version="1.0" encoding="iso-8859-1"?>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<link rel="alternate" type="application/rss+xml" title="Überblick" href="rss"/>'
        "</head><body/></html>"
    )

    feeds = discover_feeds(html, "https://x.example/dir/page")

    assert feeds == [
        DiscoveredFeed("https://x.example/dir/rss", "Überblick", "application/rss+xml")
    ]


def test_duplicates_are_dropped_even_when_only_the_fragment_differs() -> None:
    html = (
        '<link rel="alternate" type="application/rss+xml" href="/feed" title="First">'
        '<link rel="alternate" type="application/atom+xml" href="https://d.example/feed#x" title="Second">'
        '<link rel="alternate" type="application/rss+xml" href="/other">'
    )

    feeds = discover_feeds(html, "https://d.example/")

    assert feeds == [
        DiscoveredFeed("https://d.example/feed", "First", "application/rss+xml"),
        DiscoveredFeed("https://d.example/other", None, "application/rss+xml"),
    ]


def test_relative_hrefs_without_a_usable_base_are_skipped() -> None:
    html = (
        '<link rel="alternate" type="application/rss+xml" href="/relative">'
        '<link rel="alternate" type="application/rss+xml" href="https://abs.example/feed">'
    )

    assert [feed.url for feed in discover_feeds(html, "")] == ["https://abs.example/feed"]


def test_links_inside_comments_are_ignored() -> None:
    html = '<head><!-- <link rel="alternate" type="application/rss+xml" href="/old"> --></head>'

    assert discover_feeds(html, "https://c.example/") == []


@pytest.mark.parametrize(
    "html",
    [
        b"",
        "",
        b"   \n\t",
        b"\x00\xff\xfe\x00" * 64,
        "\ud800 lone surrogate",
        b"<<<<>>>>&&&&;;;;",
        "<html><head><link rel=alternate type=application/rss+xml href='http://[::1'></head></html>",
        "<html>" * 5000,
        b"\xff\xfe<\x00h\x00t\x00m\x00l\x00>\x00",  # UTF-16 BOM, no links
        b'<meta charset="no-such-charset"><p>x</p>',
        "plain text, not HTML at all",
    ],
)
def test_garbage_input_gives_an_empty_list(html: bytes | str) -> None:
    assert discover_feeds(html, "https://garbage.example/") == []


def test_non_text_input_gives_an_empty_list() -> None:
    assert discover_feeds(None, "https://garbage.example/") == []  # type: ignore[arg-type]
