"""Page metadata: meta tags, JSON-LD, canonical URL, authors, image, language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import lxml.html
import pytest

from wirebrief.extract.extractor import extract_page
from wirebrief.extract.metadata import canonical, read_metadata

TESTDATA = Path(__file__).parent / "testdata"


def meta(head: str, url: str = "https://tide.example/a", html_attrs: str = "") -> object:
    page = lxml.html.document_fromstring(
        f"<html {html_attrs}><head>{head}</head><body><p>x</p></body></html>"
    )
    return read_metadata(page, url)


def test_page_with_meta_tags_and_an_offset() -> None:
    page = extract_page(
        (TESTDATA / "page-published-and-modified-with-offset.html").read_bytes(),
        "https://www.bayline-herald.example/city/monsoon-ferry",
    )
    india = timezone(timedelta(hours=5, minutes=30))
    assert page.title == "Monsoon Ferry Schedule Extended to October"  # " - Bayline Herald" off
    assert page.authors == ["Anika Rao", "Dev Menon"]
    assert page.author == "Anika Rao, Dev Menon"
    assert page.published == datetime(2026, 3, 2, 8, 15, tzinfo=india)
    assert page.published.utcoffset() == timedelta(hours=5, minutes=30)
    assert page.modified == datetime(2026, 3, 2, 11, 40, tzinfo=india)
    assert page.lang == "en"
    # tracking parameters and fragment stripped, host lower-cased
    assert page.canonical_url == "https://www.bayline-herald.example/city/monsoon-ferry"
    assert page.image == "https://www.bayline-herald.example/images/ferry-monsoon.jpg"


def test_page_with_json_ld_only() -> None:
    page = extract_page(
        (TESTDATA / "page-jsonld-dates-authors-without-meta-tags.html").read_bytes(),
        "https://ribeira-post.example/mobilidade/tram-line-reopens",
    )
    brazil = timezone(timedelta(hours=-3))
    assert page.authors == ["Beatriz Lobo", "Rui Pena"]
    assert page.site_name == "Ribeira Post"
    assert page.published == datetime(2026, 4, 11, 7, 5, tzinfo=brazil)
    assert page.modified == datetime(2026, 4, 11, 9, 30, tzinfo=brazil)
    assert page.lang == "pt"
    assert page.image == "https://cdn.ribeira-post.example/tram.jpg"
    # relative canonical made absolute; fbclid dropped, page=2 kept
    assert page.canonical_url == "https://ribeira-post.example/mobilidade/tram-line-reopens?page=2"


@pytest.mark.parametrize(
    ("head", "authors"),
    [
        ('<meta name="author" content="By Mira Fenwick">', ["Mira Fenwick"]),
        (
            '<meta name="author" content="Mira Fenwick; Ansel Vrey &amp; Ines Calado">',
            ["Mira Fenwick", "Ansel Vrey", "Ines Calado"],
        ),
        ('<meta property="article:author" content="https://tide.example/staff/mira">', []),
        (
            '<meta name="author" content="Tide Times"><meta property="og:site_name" '
            'content="Tide Times">',
            [],
        ),
        (
            '<meta name="author" content="Mira Fenwick"><meta name="author" content="mira fenwick">',
            ["Mira Fenwick"],
        ),
    ],
    ids=["by-prefix", "several", "url-is-no-name", "site-is-no-author", "duplicates"],
)
def test_authors(head: str, authors: list[str]) -> None:
    assert meta(head).authors == authors


def test_author_from_a_byline_link_when_the_head_names_none() -> None:
    page = lxml.html.document_fromstring(
        '<html><body><p class="byline">By <a rel="author" href="/mira">Mira Fenwick</a></p>'
        "</body></html>"
    )
    assert read_metadata(page, "https://tide.example/a").authors == ["Mira Fenwick"]


def test_title_keeps_its_own_separators_when_no_part_is_the_site() -> None:
    head = "<title>Harbour - Ferry | Market</title>"
    assert meta(head).title == "Harbour - Ferry | Market"
    head = '<title>Ferry Changes | Tide Times</title><meta property="og:site_name" content="Tide Times">'
    assert meta(head).title == "Ferry Changes"


def test_language_from_og_locale_when_html_has_none() -> None:
    assert meta('<meta property="og:locale" content="de_DE">').lang == "de"
    assert meta("", html_attrs='lang="fr-CA"').lang == "fr"
    assert meta("").lang is None


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("https://Tide.Example/a?utm_source=x&id=5#top", "https://tide.example/a?id=5"),
        ("/b?gclid=1", "https://tide.example/b"),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_canonical(candidate: str, expected: str | None) -> None:
    assert canonical(candidate, "https://tide.example/a") == expected


def test_broken_json_ld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", </script>'
    assert meta(head).authors == []
