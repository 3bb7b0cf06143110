"""The article page names the first publisher and the copies in between (issue 4)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.support.appserver import AppServer
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article
from wirebrief.web.app import create_app

CHAIN = [
    {"name": "Middle Wire", "url": "https://middle.example/ferry"},
    {"name": "Origin Times", "url": "https://origin.example/ferry"},
]


def article(url: str, **fields: object) -> Article:
    return Article(
        url=url, title="Ferry Timetable Changes", text="The ferry timetable changes.",
        html="<p>The ferry timetable changes.</p>", content_hash=url.rjust(64, "0")[-64:],
        published_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC), reading_minutes=1, **fields,
    )  # fmt: skip


@pytest.fixture
def reader(settings: Settings, db: Database) -> Iterator[tuple[str, int, int]]:
    with db.session() as session:
        source = source_store.add_source(session, "http://127.0.0.1:1/feed.xml", "Copycat")
        repost = article(
            "https://copycat.example/ferry", source_id=source.id, origin_name="Origin Times",
            origin_url="https://origin.example/ferry", origin_chain=CHAIN,
        )  # fmt: skip
        single = article(
            "https://copycat.example/ferry-2", source_id=source.id, origin_name="Origin Times",
            origin_url="https://origin.example/ferry", origin_chain=CHAIN[1:],
        )  # fmt: skip
        session.add_all([repost, single])
        session.flush()
        ids = repost.id, single.id
    with AppServer(create_app(settings, db)) as server:
        yield server.base_url, *ids


def test_repost_of_a_repost_shows_the_first_publisher_and_the_copy_between(reader) -> None:
    base, repost_id, _single_id = reader
    html = httpx.get(f"{base}/articles/{repost_id}").text
    assert "Originally published by" in html
    assert '<a href="https://origin.example/ferry" rel="nofollow noopener">Origin Times</a>' in html
    assert "Reposted via" in html
    assert '<a href="https://middle.example/ferry" rel="nofollow noopener">Middle Wire</a>' in html


def test_single_repost_shows_no_chain_line(reader) -> None:
    base, _repost_id, single_id = reader
    html = httpx.get(f"{base}/articles/{single_id}").text
    assert "Originally published by" in html
    assert "Reposted via" not in html
