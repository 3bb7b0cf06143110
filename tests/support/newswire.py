"""A large, deterministic feed for crash tests: N distinct articles behind one RSS feed
with an ETag, served by a :class:`FixtureServer` on 127.0.0.1.

Every article has its own token in the title (``wire0421``), so a search for it finds
exactly that article, and its own text (seeded word salad), so no two are copies.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache

import wordfreq
from sqlalchemy import func, select

from tests.support.httpserver import FixtureServer, Route
from wirebrief.search.service import search
from wirebrief.storage import inbox
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Story

FEED_PATH = "/feed.xml"
START = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


@cache
def _vocabulary() -> list[str]:
    return [w for w in wordfreq.top_n_list("en", 3000)[150:] if w.isalpha() and len(w) > 3]


@dataclass(frozen=True)
class WireItem:
    """One article of the feed."""

    n: int

    @property
    def token(self) -> str:
        """A word only this article has."""
        return f"wire{self.n:04d}"

    @property
    def path(self) -> str:
        return f"/news/{self.token}"

    @property
    def title(self) -> str:
        words = random.Random(self.n).sample(_vocabulary(), 4)
        return f"{words[0].title()} {words[1]} {words[2]} and {words[3]} {self.token}"

    @property
    def paragraphs(self) -> list[str]:
        rng = random.Random(10_000 + self.n)
        vocabulary = _vocabulary()
        out = []
        for _ in range(3):
            sentences = [
                " ".join(rng.choices(vocabulary, k=rng.randint(12, 18))).capitalize() + "."
                for _ in range(3)
            ]
            out.append(" ".join(sentences))
        return out

    @property
    def published(self) -> datetime:
        return START + timedelta(minutes=self.n)

    def page(self) -> bytes:
        body = "".join(f"<p>{p}</p>" for p in self.paragraphs)
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{self.title}'
            f"</title></head><body><nav><a href='/'>Home</a></nav><article><h1>{self.title}"
            f"</h1>{body}</article><footer>The Wire</footer></body></html>"
        ).encode()


class Newswire:
    """The feed and its pages on ``server``; :meth:`publish` adds items (a new ETag)."""

    def __init__(
        self, server: FixtureServer, count: int, *, feed_seconds: float = 0.0, first: int = 0
    ) -> None:
        self.server = server
        self.items: list[WireItem] = []
        self.first = first  # the number of the first item: wires side by side must differ
        # The feed document is sent in 20 pieces over ``feed_seconds``: a poll lasts that long.
        self.feed_seconds = feed_seconds
        self.publish(count)

    @property
    def feed_url(self) -> str:
        return self.server.url(FEED_PATH)

    def publish(self, count: int) -> None:
        """Add ``count`` articles at the top of the feed."""
        start = len(self.items)
        self.items += [WireItem(self.first + start + i) for i in range(count)]
        for item in self.items[start:]:
            self.server.routes[item.path] = Route(item.page())
        document = self._feed()
        self.etag = '"' + hashlib.sha256(document).hexdigest()[:16] + '"'
        self.server.routes[FEED_PATH] = Route(
            document, content_type="application/rss+xml", headers={"ETag": self.etag},
            chunks=20, chunk_delay_s=self.feed_seconds / 20,
        )  # fmt: skip

    def page_requests(self) -> int:
        """Page requests the server has seen so far."""
        return sum(1 for path, _ in list(self.server.requests) if path.startswith("/news/"))

    def feed_requests(self) -> int:
        """Feed requests the server has seen so far (304s included)."""
        return sum(1 for path, _ in list(self.server.requests) if path == FEED_PATH)

    def _feed(self) -> bytes:
        base = self.server.base_url
        entries = "".join(
            f"<item><title>{item.title}</title><link>{base}{item.path}</link>"
            f"<guid>{base}{item.path}</guid>"
            f"<pubDate>{format_datetime(item.published, usegmt=True)}</pubDate>"
            f"<description>{item.paragraphs[0][:200]}</description></item>"
            for item in reversed(self.items)
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>The Wire</title><link>{base}/</link><description>News</description>"
            f"{entries}</channel></rss>"
        ).encode()


def assert_stored_once(db: Database, wire: Newswire) -> None:
    """Every item of ``wire`` stored exactly once (none a copy of another), found by a
    search for its own word, and in a story whose count includes it; the inbox empty."""
    expected = {wire.server.url(item.path): item for item in wire.items}
    with db.session() as session:
        stored = dict(session.execute(select(Article.url, Article.id)).all())
        missing, extra = set(expected) - set(stored), set(stored) - set(expected)
        assert not missing and not extra, f"missing {len(missing)}, extra {len(extra)}"
        assert session.scalar(select(func.count(Article.id))) == len(expected)
        assert not session.scalar(select(func.count()).where(Article.duplicate_of.is_not(None)))
        assert inbox.waiting(session) == 0
        for url, item in expected.items():
            found = [result.article.id for result in search(session, item.token).results]
            assert found == [stored[url]], f"{item.token} is not found by search"
        story_of = dict(session.execute(select(Article.id, Article.story_id)).all())
        assert None not in story_of.values(), "an article outside any story"
        members: dict[int, int] = {}
        for story_id in story_of.values():
            members[story_id] = members.get(story_id, 0) + 1
        counted = dict(session.execute(select(Story.id, Story.article_count)).all())
        assert members == {story_id: n for story_id, n in counted.items() if n}
