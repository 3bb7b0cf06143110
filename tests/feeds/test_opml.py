"""OPML import and export, including hostile documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirebrief.errors import FeedError
from wirebrief.feeds.opml import Subscription, read_opml, write_opml

TESTDATA = Path(__file__).parent / "testdata"


def read(name: str) -> bytes:
    return (TESTDATA / name).read_bytes()


def test_read_nested_categories() -> None:
    """Each feed takes the title of its nearest enclosing folder outline."""
    subscriptions = read_opml(read("opml-nested-categories.opml"))

    assert subscriptions == [
        Subscription("https://harbour-notes.example/feed.xml", "Unfiled Harbour Notes"),
        Subscription(
            "https://quayside-courier.example/feed.xml",
            "Quayside Courier",
            "https://quayside-courier.example/",
            "Local",
        ),
        Subscription("https://tram-watch.example/rss", "Tram Watch", None, "Transport"),
        Subscription(
            "https://greenbank-bulletin.example/feed.json", "Greenbank Bulletin", None, "Gardening"
        ),
    ]


def test_write_then_read_round_trips() -> None:
    subscriptions = [
        Subscription(
            "https://a.example/feed", "Alpha & Omega <News>", "https://a.example/", "Local"
        ),
        Subscription("https://b.example/rss", None, None, None),
        Subscription("https://c.example/atom", "Café Crème", None, "Local"),
        Subscription("https://d.example/feed.json", "Delta", None, "Science"),
    ]

    document = write_opml(subscriptions, title="Test export")

    assert document.startswith(b"<?xml")
    assert b"<title>Test export</title>" in document
    back = read_opml(document)
    # A subscription without a title is written with its URL as text and read back so.
    expected = [sub if sub.title else Subscription(sub.url, sub.url) for sub in subscriptions]
    assert sorted(back, key=lambda s: s.url) == sorted(expected, key=lambda s: s.url)


def test_round_trip_of_a_read_file_is_lossless() -> None:
    subscriptions = read_opml(read("opml-nested-categories.opml"))
    assert read_opml(write_opml(subscriptions)) == subscriptions


def test_write_empty_list() -> None:
    assert read_opml(write_opml([])) == []


@pytest.mark.parametrize("name", ["opml-billion-laughs.opml", "opml-external-entity.opml"])
def test_entity_tricks_are_refused(name: str) -> None:
    with pytest.raises(FeedError, match="not a readable OPML file"):
        read_opml(read(name))


@pytest.mark.parametrize(
    "data",
    [b"", b"<opml><body>", b"not xml at all", read("opml-not-opml.xml")],
    ids=["empty", "unclosed", "text", "rss-instead"],
)
def test_non_opml_is_refused(data: bytes) -> None:
    with pytest.raises(FeedError):
        read_opml(data)


def test_opml_without_body_is_refused() -> None:
    with pytest.raises(FeedError, match="<body>"):
        read_opml(b'<opml version="2.0"><head><title>x</title></head></opml>')
