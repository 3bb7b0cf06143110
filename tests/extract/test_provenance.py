"""find_origin on hand-built body trees (trafilatura's XML: p, head, ref, ...)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from wirebrief.extract.provenance import Origin, find_origin
from wirebrief.pipeline import process_page
from wirebrief.settings import Settings

PAGE_URL = "https://copycat.example/2024/05/story"
ARTICLE = "<p>The ferry timetable changes on Monday, the harbour office said.</p>"


def body(*blocks: str) -> etree._Element:
    return etree.fromstring(f"<body>{ARTICLE}{''.join(blocks)}</body>")


def test_plain_article_has_no_origin() -> None:
    assert find_origin(body(), PAGE_URL, None) is None


def test_wordpress_footer_prefers_the_article_link() -> None:
    footer = (
        '<p>The post <ref target="https://origin.example/ferry">Ferry timetable changes</ref>'
        ' appeared first on <ref target="https://origin.example/">Origin Times</ref>.</p>'
    )
    assert find_origin(body(footer), PAGE_URL, None) == Origin(
        "Origin Times", "https://origin.example/ferry"
    )


def test_footer_with_only_a_site_link() -> None:
    footer = (
        '<p>The post Ferry appeared on <ref target="https://origin.example/">Origin Times</ref></p>'
    )
    assert find_origin(body(footer), PAGE_URL, None) == Origin(
        "Origin Times", "https://origin.example/"
    )


def test_footer_without_links_falls_back_to_foreign_canonical() -> None:
    footer = "<p>The post Ferry appeared first on Origin Times.</p>"
    origin = find_origin(body(footer), PAGE_URL, "https://origin.example/ferry")
    assert origin == Origin("Origin Times", "https://origin.example/ferry")


def test_footer_without_links_or_canonical_names_only() -> None:
    footer = "<p>The post Ferry appeared first on Origin Times.</p>"
    assert find_origin(body(footer), PAGE_URL, None) == Origin("Origin Times", None)


def test_originally_published_note() -> None:
    note = '<p>This article was originally published on <ref target="https://origin.example/a">Origin Times</ref>.</p>'
    origin = find_origin(body(note), PAGE_URL, None)
    assert origin == Origin("Origin Times", "https://origin.example/a")


def test_foreign_canonical_gives_origin_named_by_host() -> None:
    origin = find_origin(body(), PAGE_URL, "https://origin.example/ferry")
    assert origin == Origin("origin.example", "https://origin.example/ferry")


def test_same_host_canonical_gives_no_origin() -> None:
    assert find_origin(body(), PAGE_URL, "https://copycat.example/canonical/story") is None


def test_saved_file_has_no_host_to_compare() -> None:
    assert find_origin(body(), "file:///tmp/story.html", "https://origin.example/a") is None


def test_originally_published_in_article_prose_is_not_an_origin() -> None:
    page = (
        Path(__file__).parent / "testdata" / "page-mentions-originally-published-mid-article.html"
    )
    draft = process_page(page.read_bytes(), "https://shoreline-digest.example/tide", Settings())
    assert draft.origin is None
