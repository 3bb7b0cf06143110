"""find_origins on hand-built body blocks (trafilatura's XML: p, head, ref, ...)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from wirebrief.extract.provenance import Origin, find_origins
from wirebrief.pipeline import process_page
from wirebrief.settings import Settings

PAGE_URL = "https://copycat.example/2024/05/story"
ARTICLE = "<p>The ferry timetable changes on Monday, the harbour office said.</p>"
MORE = "<p>Passengers for the island should check the new times before they travel.</p>"


def blocks(*extra: str, before: str = "") -> list[etree._Element]:
    return list(etree.fromstring(f"<body>{before}{ARTICLE}{MORE}{''.join(extra)}</body>"))


def test_plain_article_has_no_origin() -> None:
    assert find_origins(blocks(), PAGE_URL) == []


# ── syndication footers ──────────────────────────────────────────────────────


def test_wordpress_footer_prefers_the_article_link() -> None:
    footer = (
        '<p>The post <ref target="https://origin.example/ferry">Ferry timetable changes</ref>'
        ' appeared first on <ref target="https://origin.example/">Origin Times</ref>.</p>'
    )
    assert find_origins(blocks(footer), PAGE_URL) == [
        Origin("Origin Times", "https://origin.example/ferry")
    ]


def test_footer_with_only_a_site_link() -> None:
    footer = (
        '<p>The post Ferry appeared on <ref target="https://origin.example/">Origin Times</ref></p>'
    )
    assert find_origins(blocks(footer), PAGE_URL) == [
        Origin("Origin Times", "https://origin.example/")
    ]


def test_footer_without_links_falls_back_to_foreign_canonical() -> None:
    footer = "<p>The post Ferry appeared first on Origin Times.</p>"
    chain = find_origins(blocks(footer), PAGE_URL, "https://origin.example/ferry")
    assert chain == [Origin("Origin Times", "https://origin.example/ferry")]


def test_footer_without_links_or_canonical_names_only() -> None:
    footer = "<p>The post Ferry appeared first on Origin Times.</p>"
    assert find_origins(blocks(footer), PAGE_URL) == [Origin("Origin Times", None)]


def test_footer_with_a_domain_as_site_name() -> None:
    footer = "<p>The post Ferry Times Change appeared on OriginNews.com.</p>"
    assert find_origins(blocks(footer), PAGE_URL) == [Origin("OriginNews.com", None)]


def test_related_teaser_that_starts_like_a_footer_is_not_an_origin() -> None:
    """Aggregators' "You May Also Like" teasers quote other reposts' footers, then their text."""
    teaser = (
        "<p>The post Ferry fares rise appeared on OtherWire.com. The harbour office said on "
        "Friday that fares would rise. Passengers complained about the timing.</p>"
    )
    assert find_origins(blocks(teaser), PAGE_URL) == []


def test_footer_naming_the_page_own_site_is_not_an_origin() -> None:
    """WordPress adds the footer to the original's own feed too."""
    footer = (
        '<p>The post <ref target="https://copycat.example/2024/05/story">Ferry</ref> appeared '
        'first on <ref target="https://copycat.example/">Copycat Courier</ref>.</p>'
    )
    assert find_origins(blocks(footer), PAGE_URL, site_name="Copycat Courier") == []
    assert find_origins(blocks(footer), PAGE_URL) == []  # same host, even without a site name


# ── other notes ──────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            '<p>This article was originally published on <ref target="https://origin.example/a">'
            "Origin Times</ref>.</p>",
            Origin("Origin Times", "https://origin.example/a"),
        ),
        (
            '<p>This article was originally published by Origin Times. <ref target="https://'
            'origin.example/a">Read the original article</ref>.</p>',
            Origin("Origin Times", "https://origin.example/a"),
        ),
        ("<p>Originally published on Origin Times.</p>", Origin("Origin Times", None)),
        (
            "<p>This article is republished from Origin Times under a Creative Commons "
            "license.</p>",
            Origin("Origin Times", None),
        ),
        ("<p>Source: Origin Times</p>", Origin("Origin Times", None)),
        ("<p>(Source: https://origin.example/a)</p>", Origin("origin.example", None)),
    ],
    ids=[
        "originally-linked",
        "read-the-original",
        "originally-short",
        "republished",
        "source",
        "source-url",
    ],
)
def test_notes_at_the_end_name_the_origin(note: str, expected: Origin) -> None:
    assert find_origins(blocks(note), PAGE_URL) == [expected]


def test_source_byline_above_the_article() -> None:
    byline = '<p>Source: <ref target="https://origin.example/ferry">Origin Times</ref></p>'
    assert find_origins(blocks(before=byline), PAGE_URL) == [
        Origin("Origin Times", "https://origin.example/ferry")
    ]


def test_note_in_the_middle_of_a_long_article_is_ignored() -> None:
    middle = "<p>Source: Origin Times</p>"
    filler = [f"<p>Paragraph {n} about the ferry timetable and its changes.</p>" for n in range(5)]
    body = list(etree.fromstring(f"<body>{ARTICLE}{MORE}{middle}{''.join(filler)}</body>"))
    assert find_origins(body, PAGE_URL) == []


def test_originally_published_in_article_prose_is_not_an_origin() -> None:
    page = (
        Path(__file__).parent / "testdata" / "page-mentions-originally-published-mid-article.html"
    )
    draft = process_page(page.read_bytes(), "https://shoreline-digest.example/tide", Settings())
    assert draft.origin is None
    assert draft.origin_chain == []


# ── canonical and site name ──────────────────────────────────────────────────


def test_foreign_canonical_gives_origin_named_by_host() -> None:
    chain = find_origins(blocks(), PAGE_URL, "https://origin.example/ferry")
    assert chain == [Origin("origin.example", "https://origin.example/ferry")]


def test_same_host_canonical_gives_no_origin() -> None:
    assert find_origins(blocks(), PAGE_URL, "https://copycat.example/canonical/story") == []


def test_saved_file_has_no_host_to_compare() -> None:
    assert find_origins(blocks(), "file:///tmp/story.html", "https://origin.example/a") == []


@pytest.mark.parametrize(
    ("page_url", "site_name"),
    [
        ("https://www.harbourtimes.example/a", "Harbour Times"),
        ("https://news.harbour-times.example/a", "The Harbour Times"),
        ("https://hbt.example/a", "Harbour Bay Times"),  # initials
        ("https://suedhafen.example/a", "Südhafen Zeitung"),  # a long common part
        ("https://cityam.example/a", "City A.M."),
        ("https://www.harbour.co.uk/a", "Harbour"),
        ("http://127.0.0.1:8001/coin-relay/a.html", "Coin Relay"),  # an address names nothing
    ],
)
def test_site_name_matching_the_host_is_no_origin(page_url: str, site_name: str) -> None:
    assert find_origins(blocks(), page_url, site_name=site_name) == []


def test_site_name_that_differs_from_the_host_names_the_origin() -> None:
    chain = find_origins(blocks(), "https://newsbucket.example/a", site_name="Lantern Ledger")
    assert chain == [Origin("Lantern Ledger", None)]


# ── chains ───────────────────────────────────────────────────────────────────


def test_repost_of_a_repost_gives_a_chain_of_two() -> None:
    """The middle copy's footer came along with its text; ours is the last block."""
    first = (
        '<p>The post <ref target="https://origin.example/ferry">Ferry</ref> appeared first on '
        '<ref target="https://origin.example/">Origin Times</ref>.</p>'
    )
    second = (
        '<p>The post <ref target="https://middle.example/ferry">Ferry</ref> appeared first on '
        '<ref target="https://middle.example/">Middle Wire</ref>.</p>'
    )
    assert find_origins(blocks(first, second), PAGE_URL) == [
        Origin("Middle Wire", "https://middle.example/ferry"),
        Origin("Origin Times", "https://origin.example/ferry"),
    ]


def test_footer_and_canonical_on_a_third_site_give_a_chain() -> None:
    footer = (
        '<p>The post <ref target="https://middle.example/ferry">Ferry</ref> appeared first on '
        "Middle Wire.</p>"
    )
    chain = find_origins(blocks(footer), PAGE_URL, "https://origin.example/ferry")
    assert chain == [
        Origin("Middle Wire", "https://middle.example/ferry"),
        Origin("origin.example", "https://origin.example/ferry"),
    ]


def test_canonical_on_the_footer_site_refines_its_home_page_link() -> None:
    footer = (
        '<p>The post Ferry appeared first on <ref target="https://origin.example/">Origin Times'
        "</ref>.</p>"
    )
    chain = find_origins(blocks(footer), PAGE_URL, "https://origin.example/ferry")
    assert chain == [Origin("Origin Times", "https://origin.example/ferry")]


def test_two_notes_naming_one_publication_merge() -> None:
    footer = "<p>The post Ferry appeared first on Origin Times.</p>"
    source = '<p>Source: <ref target="https://origin.example/ferry">Origin Times</ref></p>'
    assert find_origins(blocks(source, footer), PAGE_URL) == [
        Origin("Origin Times", "https://origin.example/ferry")
    ]
