"""Feed parsing: RSS 2.0, Atom 1.0, JSON Feed 1.1 and the ways documents go wrong."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from wirebrief.errors import FeedError
from wirebrief.feeds.parser import FeedEntry, looks_like_feed, parse_feed

TESTDATA = Path(__file__).parent / "testdata"
FEED_URL = "https://feeds.example/feed"


def read(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def test_rss_2_0() -> None:
    feed = parse_feed(read("rss-2.0-basic.xml"), FEED_URL, "application/rss+xml")

    assert feed.title == "Quayside Courier"
    assert feed.link == "https://quayside-courier.example/"
    assert feed.problem is None
    assert [entry.url for entry in feed.entries] == [
        "https://quayside-courier.example/news/night-market",
        "https://quayside-courier.example/news/tram-four",
    ]
    first, second = feed.entries
    assert first.guid == "qc-2024-0514-01"
    assert first.title == "Night market opens on the ferry pier"
    assert first.author == "Mira Fenwick"
    assert first.summary == "Forty stalls and a string band on the old pier."
    assert first.content_html == "<p>Forty stalls and a <b>string band</b>.</p>"
    # 09:30 at +02:00 is 07:30 UTC.
    assert first.published == datetime(2024, 5, 14, 7, 30, tzinfo=UTC)
    assert second.guid == second.url  # no <guid>: the link stands in
    assert second.author is None
    assert second.content_html in ("", second.summary)  # fastfeedparser copies <description>


def test_atom_1_0() -> None:
    feed = parse_feed(read("atom-1.0-basic.xml"), FEED_URL, "application/atom+xml")

    assert feed.title == "Lamplight Weekly"
    assert feed.link == "https://lamplight-weekly.example/"
    (entry,) = feed.entries
    assert entry.url == "https://lamplight-weekly.example/stories/foghorn-vote"
    assert entry.guid == "urn:uuid:7d1c3a52-0000-4000-8000-entry0000001"
    assert entry.author == "Odile Marsh"
    assert entry.published == datetime(2024, 5, 16, 12, 15, tzinfo=UTC)
    assert entry.updated == datetime(2024, 5, 16, 14, 0, tzinfo=UTC)
    assert entry.summary == "The brass horn will sound again, but only in real fog."
    assert entry.content_html == "<p>The brass horn will sound again.</p>"


def test_json_feed_1_1() -> None:
    feed = parse_feed(read("jsonfeed-1.1-basic.json"), FEED_URL, "application/feed+json")

    assert feed.title == "Greenbank Bulletin"
    assert feed.link == "https://greenbank-bulletin.example/"
    assert feed.problem is None
    (entry,) = feed.entries  # the item without "url" is skipped
    assert entry.url == "https://greenbank-bulletin.example/seed-swap"
    assert entry.guid == "gb-seed-swap"
    assert entry.title == "Seed swap rules published"
    assert entry.author == "Petra Holm"
    assert entry.content_html == "<p>Twelve packets per member.</p>"
    assert entry.published == datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    assert entry.updated == datetime(2024, 3, 2, 7, 30, tzinfo=UTC)


def test_json_feed_summary_is_kept() -> None:
    (entry,) = parse_feed(read("jsonfeed-1.1-basic.json"), FEED_URL).entries
    assert entry.summary == "Twelve packets per member."


@pytest.mark.parametrize(
    "name", ["rss-2.0-basic.xml", "atom-1.0-basic.xml", "jsonfeed-1.1-basic.json"]
)
def test_dates_are_aware_utc(name: str) -> None:
    entries = parse_feed(read(name), FEED_URL).entries
    assert entries
    for entry in entries:
        assert entry.published is not None
        for value in (entry.published, entry.updated):
            if value is not None:
                assert value.utcoffset() == timedelta(0)


def test_rss_without_updated_does_not_copy_published() -> None:
    """feedparser maps a missing "updated" to "published"; the parser must not."""
    for entry in parse_feed(read("rss-2.0-basic.xml"), FEED_URL).entries:
        assert entry.published is not None
        assert entry.updated is None


def test_malformed_xml_still_yields_entries_and_reports_problem() -> None:
    feed = parse_feed(read("atom-malformed-unclosed-tag.xml"), FEED_URL)

    assert feed.problem  # e.g. "SAXParseException: ... mismatched tag"
    assert [entry.url for entry in feed.entries] == [
        "https://shoreline-digest.example/dredging",
        "https://shoreline-digest.example/ferry-fares",
    ]


def test_iso_8859_1_declared_encoding_is_decoded() -> None:
    body = read("rss-iso-8859-1-declared.xml")
    assert "é".encode("latin-1") in body and "é".encode() not in body  # really Latin-1

    feed = parse_feed(body, FEED_URL)

    assert feed.title == "Café de la Grève"
    (entry,) = feed.entries
    assert entry.title == "Le café rouvre après l'été"
    assert entry.summary == "Crème brûlée au menu."


def test_entries_without_a_fetchable_link_are_skipped() -> None:
    feed = parse_feed(read("rss-item-without-link.xml"), FEED_URL)
    assert [entry.title for entry in feed.entries] == ["Tide tables for June"]


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
def test_empty_body_is_not_a_feed(body: bytes) -> None:
    with pytest.raises(FeedError, match="empty"):
        parse_feed(body, FEED_URL)


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(FeedError, match="not an RSS, Atom or JSON feed"):
        parse_feed(read("page-not-a-feed.html"), FEED_URL, "text/html")


@pytest.mark.parametrize("body", [read("jsonfeed-invalid-truncated.json"), b"{not json at all"])
def test_invalid_json_is_a_feed_error(body: bytes) -> None:
    with pytest.raises(FeedError, match="JSON Feed"):
        parse_feed(body, FEED_URL, "application/feed+json")


def test_feed_without_title_is_named_after_its_url() -> None:
    body = (
        b'<rss version="2.0"><channel><item><link>https://a.example/1</link></item></channel></rss>'
    )
    assert parse_feed(body, FEED_URL).title == FEED_URL


# ── fingerprint ──────────────────────────────────────────────────────────────

ENTRY = FeedEntry(
    url="https://quayside-courier.example/news/night-market",
    guid="qc-1",
    title="Night market opens",
    author=None,
    published=datetime(2024, 5, 14, 7, 30, tzinfo=UTC),
    updated=None,
    summary="Forty stalls.",
    content_html="<p>Forty stalls.</p>",
)


def test_fingerprint_is_stable() -> None:
    assert ENTRY.fingerprint == replace(ENTRY).fingerprint


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Night market opens on the pier"},
        {"summary": "Forty-two stalls."},
        {"content_html": "<p>Forty-two stalls.</p>"},
        {"url": "https://quayside-courier.example/news/night-market-2"},
        {"updated": datetime(2024, 5, 15, tzinfo=UTC)},
    ],
)
def test_fingerprint_changes_when_entry_is_edited(change: dict) -> None:
    assert replace(ENTRY, **change).fingerprint != ENTRY.fingerprint


def test_fingerprint_changes_when_parsed_title_changes() -> None:
    body = read("rss-2.0-basic.xml")
    edited = body.replace(b"Night market opens on the ferry pier", b"Night market opens")
    before = parse_feed(body, FEED_URL).entries[0]
    after = parse_feed(edited, FEED_URL).entries[0]
    assert before.url == after.url
    assert before.fingerprint != after.fingerprint


# ── sniffing ─────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("content_type", "name"),
    [
        ("application/rss+xml", "rss-2.0-basic.xml"),
        ("", "rss-2.0-basic.xml"),
        ("", "atom-1.0-basic.xml"),
        ("", "jsonfeed-1.1-basic.json"),
        ("application/feed+json", "jsonfeed-1.1-basic.json"),
    ],
)
def test_looks_like_feed(content_type: str, name: str) -> None:
    assert looks_like_feed(content_type, read(name))


def test_html_does_not_look_like_feed() -> None:
    assert not looks_like_feed("text/html", read("page-not-a-feed.html"))


def test_xhtml_page_does_not_look_like_feed() -> None:
    assert not looks_like_feed("application/xhtml+xml", read("page-not-a-feed.html"))
