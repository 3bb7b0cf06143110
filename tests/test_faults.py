"""A hostile publisher: one source per fault, all polled together with two good sources.

Every publisher is its own FixtureServer on 127.0.0.1 (its own host:port, so a cooldown
asked for by one host never slows down another). The scenario runs twice: first every
publisher behaves and its articles are stored; then each fault publisher turns hostile and
everything is polled again in ONE ``ingest_due`` call. The tests below check what that
second poll recorded, and that nothing stored by the first poll was lost or changed.
"""

from __future__ import annotations

import gzip
import ipaddress
import re
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.support.httpserver import FixtureServer, Route
from wirebrief.errors import (
    ConnectionFailed,
    FetchTimeout,
    HTTPStatusError,
    RateLimited,
    RobotsDisallowed,
)
from wirebrief.feeds.parser import parse_feed
from wirebrief.pipeline import SourceReport, ingest_due
from wirebrief.pipeline.ingestor import MAX_ENTRY_ATTEMPTS
from wirebrief.settings import Settings
from wirebrief.storage import inbox
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, FetchAttempt, PendingEntry, Source
from wirebrief.times import utcnow

RSS_TYPE = "application/rss+xml"
READ_TIMEOUT_S = 1.0
MAX_BODY_BYTES = 1024 * 1024
PUB_DATE = "Fri, 20 Nov 2026 08:30:00 +0000"


# ── fixture content ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Item:
    """One feed item; ``title`` and ``description`` are XML as written (not escaped)."""

    path: str
    title: str
    description: str = ""


def rss(base: str, items: list[Item], *, prolog: str = "") -> str:
    """An RSS 2.0 document; ``prolog`` goes between the XML declaration and ``<rss>``."""
    entries = "".join(
        f"<item><title>{item.title}</title><link>{base}{item.path}</link>"
        f"<guid>{base}{item.path}</guid><pubDate>{PUB_DATE}</pubDate>"
        f"<description>{item.description or item.title}</description></item>"
        for item in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel>'
        f"<title>Fixture</title><link>{base}/</link><description>d</description>"
        f"{entries}</channel></rss>"
    )


def article_page(title: str, sentence: str, charset: str = "utf-8") -> str:
    """An article page with well over 15 words of text."""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="{charset}"><title>{title}</title>'
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>"
        f"<p>{sentence}</p><p>Reporters followed the story through the afternoon and checked "
        "every figure twice before the desk published it for readers.</p></article>"
        "<footer>Copyright</footer></body></html>"
    )


def summary(topic: str) -> str:
    """A feed description (escaped HTML) long enough to be stored as an article of its own."""
    return paragraph(
        f"{topic}: the committee met on Tuesday and agreed on the plan after a long debate, "
        "and analysts said the decision would shape the rest of the quarter."
    )


def paragraph(text: str) -> str:
    return f"&lt;p&gt;{text}&lt;/p&gt;"


def feed_route(document: str) -> Route:
    return Route(document.encode(), content_type=RSS_TYPE)


def page_route(title: str, sentence: str) -> Route:
    return Route(article_page(title, sentence).encode())


CAFE_TITLE = "Le café de la gare rouvre"
CAFE_SENTENCE = (
    "Le café de la gare a rouvert ses portes après trois années de travaux, à la grande joie "
    "des habitués du quartier qui attendaient ce moment depuis longtemps."
)
UTF16_TITLE = "Zürich café: Ærø, Łódź and 東京 markets"
UTF16_DESCRIPTION = paragraph(
    "Traders in Zürich, Łódź and 東京 watched the Ærø café owners, who said the crème brûlée "
    "price index rose for a third week while the euro (€) slipped against the dollar."
)
XXE_SENTINEL = "EXFILTRATED-BY-THE-NETWORK-ENTITY"
BILLION_LAUGHS = (
    '<!DOCTYPE rss [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)
    )
    + "]>"
)
GZIP_BOMB = gzip.compress(b"\0" * (64 * MAX_BODY_BYTES), compresslevel=9, mtime=0)


@dataclass(frozen=True)
class Failure:
    """What the second poll of a fault source must record."""

    reason: str
    error: str  # a part of the error message
    http_status: int | None = None
    url: str | None = None  # the URL the message names, when not the source's own


FAILURES = {
    "slow": Failure("timeout", "timed out"),
    "dropped": Failure("fetch_failed", "peer closed connection"),
    "rate_limited": Failure("rate_limited", "HTTP 429", 429),
    "unavailable": Failure("rate_limited", "HTTP 503", 503),
    "server_error": Failure("http_error", "HTTP 500", 500),
    "redirect_loop": Failure("redirects", "redirect loop"),
    "private_redirect": Failure("address_refused", "10.0.0.1", url="http://10.0.0.1/feed.xml"),
    "oversized": Failure("too_large", "cap"),
    "gzip_bomb": Failure("too_large", "decompressed body exceeds the cap"),
}
GOOD = ("good_one", "good_two")
WITHOUT_PAGES = ("utf16", "xxe", "billion_laughs")  # the feed's own text becomes the article
PUBLISHERS = (
    *GOOD,
    *FAILURES,
    "not_modified",
    "wrong_charset",
    "utf16",
    "xxe",
    "billion_laughs",
)


# ── the publisher and the scenario ───────────────────────────────────────────


@dataclass
class Publisher:
    """One fixture publisher: its own server (host:port), its routes and its source."""

    name: str
    server: FixtureServer
    routes: dict[str, Route]
    source_id: int = 0

    @property
    def base(self) -> str:
        return self.server.base_url

    def requested(self, path: str) -> int:
        return sum(1 for requested, _ in self.server.requests if requested == path)


@dataclass
class Outcome:
    """What the hostile poll did, read back from the database."""

    publishers: dict[str, Publisher]
    reports: dict[str, SourceReport]
    sources: dict[str, Source]
    attempts: dict[str, FetchAttempt]  # the newest attempt at each source's feed
    before: dict[str, tuple[Any, ...]]  # articles after the calm poll
    after: dict[str, tuple[Any, ...]]  # the same, after the hostile poll
    articles: dict[str, Article]  # every article by URL, after the hostile poll
    started: datetime
    seconds: float
    connections: list[Any] = field(default_factory=list)


def calm(publisher: Publisher) -> None:
    """Routes of a well-behaved publisher: a feed, and one page per item."""
    name, base, routes = publisher.name, publisher.base, publisher.routes
    items = [Item("/a1", f"{name} first story", summary(f"{name} first story"))]
    if name in GOOD:
        items.append(Item("/a2", f"{name} second story", summary(f"{name} second story")))
    headers = {"ETag": '"v1"'} if name == "not_modified" else {}
    routes["/feed.xml"] = Route(rss(base, items).encode(), content_type=RSS_TYPE, headers=headers)
    for item in items:
        routes[item.path] = page_route(item.title, f"{item.title} was reported by {name} today.")
    if name == "xxe":  # what an external entity would pull in, were it ever resolved
        routes["/xxe"] = Route(XXE_SENTINEL.encode(), content_type="text/plain")


def hostile(publisher: Publisher) -> None:
    """Turn a publisher into its fault (good ones publish one more story)."""
    name, base, routes = publisher.name, publisher.base, publisher.routes
    first = Item("/a1", f"{name} first story", summary(f"{name} first story"))
    feed = routes["/feed.xml"].body
    if name in GOOD:
        items = [first, Item("/a2", f"{name} second story", summary(f"{name} second story"))]
        items.append(Item("/a3", f"{name} third story", summary(f"{name} third story")))
        routes["/feed.xml"] = feed_route(rss(base, items))
        routes["/a3"] = page_route(items[2].title, f"{items[2].title} was reported today.")
    elif name == "slow":
        routes["/feed.xml"] = Route(feed, content_type=RSS_TYPE, delay_s=3 * READ_TIMEOUT_S)
    elif name == "dropped":
        routes["/feed.xml"] = Route(feed, content_type=RSS_TYPE, drop_after=len(feed) // 2)
    elif name == "rate_limited":
        routes["/feed.xml"] = Route(b"slow down", 429, {"Retry-After": "3600"}, "text/plain")
    elif name == "unavailable":
        routes["/feed.xml"] = Route(b"maintenance", 503, content_type="text/plain")
    elif name == "server_error":
        routes["/feed.xml"] = Route(b"oops", 500, content_type="text/plain")
    elif name == "redirect_loop":
        routes["/feed.xml"] = Route(status=302, headers={"Location": "/loop.xml"})
        routes["/loop.xml"] = Route(status=302, headers={"Location": "/feed.xml"})
    elif name == "private_redirect":
        routes["/feed.xml"] = Route(status=302, headers={"Location": "http://10.0.0.1/feed.xml"})
    elif name == "oversized":
        big = b"<rss>" + b"x" * MAX_BODY_BYTES + b"</rss>"
        routes["/feed.xml"] = Route(big, content_type=RSS_TYPE, send_length=False, chunks=16)
    elif name == "gzip_bomb":
        routes["/feed.xml"] = Route(
            GZIP_BOMB, content_type=RSS_TYPE, headers={"Content-Encoding": "gzip"}
        )
    elif name == "not_modified":
        pass  # same route, same ETag: the conditional GET is answered 304
    elif name == "wrong_charset":
        items = [first, Item("/a2", CAFE_TITLE, summary("Le café"))]
        routes["/feed.xml"] = feed_route(rss(base, items))
        # Declared UTF-8 (header and <meta>), but the bytes are windows-1252.
        routes["/a2"] = Route(article_page(CAFE_TITLE, CAFE_SENTENCE).encode("windows-1252"))
    elif name == "utf16":
        document = rss(base, [first, Item("/u2", UTF16_TITLE, UTF16_DESCRIPTION)])
        document = document.replace('encoding="utf-8"', 'encoding="utf-16"')
        routes["/feed.xml"] = Route(
            document.encode("utf-16"),  # with a byte order mark
            content_type="application/rss+xml; charset=utf-16",
        )
    elif name == "xxe":
        port = publisher.server.base_url.rsplit(":", 1)[1]
        prolog = (
            '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/hostname">'
            f'<!ENTITY net SYSTEM "http://127.0.0.1:{port}/xxe">]>'
        )
        entity_item = Item(
            "/x2",
            "Host [[&xxe;]] and network [[&net;]]",
            summary("Entities [[&xxe;]] and [[&net;]] in the text"),
        )
        routes["/feed.xml"] = feed_route(rss(base, [first, entity_item], prolog=prolog))
    elif name == "billion_laughs":
        laughs = Item("/b2", "Laughs [[&lol9;]]", summary("Laughs [[&lol9;]] in the text"))
        routes["/feed.xml"] = feed_route(rss(base, [first, laughs], prolog=BILLION_LAUGHS))
    else:
        raise AssertionError(f"no fault for {name}")


@contextmanager
def recorded_connections() -> Iterator[list[Any]]:
    """Every address a socket in this process connects to while the block runs."""
    seen: list[Any] = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def recording_connect(self: socket.socket, address: Any) -> None:
        seen.append(address)
        return connect(self, address)

    def recording_connect_ex(self: socket.socket, address: Any) -> int:
        seen.append(address)
        return connect_ex(self, address)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", recording_connect)
        patch.setattr(socket.socket, "connect_ex", recording_connect_ex)
        yield seen


def bracketed(article: Article) -> set[str]:
    """What the title and text hold between ``[[`` and ``]]``, entity punctuation removed."""
    found = re.findall(r"\[\[(.*?)\]\]", f"{article.title} {article.text}")
    return {text.strip("&;") for text in found}


def article_rows(db: Database) -> dict[str, tuple[Any, ...]]:
    """What a reader sees of each article (the entry fingerprint is bookkeeping, left out)."""
    with db.session() as session:
        return {
            a.url: (
                a.source_id,
                a.title,
                a.text,
                a.html,
                a.content_hash,
                a.published_at,
                a.updated_at,
            )
            for a in session.scalars(select(Article))
        }


@pytest.fixture(scope="module")
def outcome(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outcome]:
    # The conftest ``settings`` fixture, module-scoped, with a shorter read timeout.
    path: Path = tmp_path_factory.mktemp("faults") / "wirebrief.db"
    settings = Settings(
        database_url=f"sqlite:///{path}",
        allowed_private_networks=(ipaddress.ip_network("127.0.0.0/8"),),
        connect_timeout_s=2.0,
        read_timeout_s=READ_TIMEOUT_S,
        total_timeout_s=5.0,
        max_body_bytes=MAX_BODY_BYTES,
        per_host_delay_s=0.0,
        extract_workers=0,
    )
    db = Database(settings.database_url)
    db.upgrade()
    with ExitStack() as stack:
        publishers: dict[str, Publisher] = {}
        for name in PUBLISHERS:
            routes: dict[str, Route] = {}
            server = stack.enter_context(FixtureServer(routes))
            publishers[name] = publisher = Publisher(name, server, routes)
            calm(publisher)
        with db.session() as session:
            for publisher in publishers.values():
                publisher.source_id = source_store.add_source(
                    session,
                    publisher.server.url("/feed.xml"),
                    publisher.name,
                    fetch_pages=publisher.name not in WITHOUT_PAGES,
                ).id
        ids = [publisher.source_id for publisher in publishers.values()]

        calm_reports = ingest_due(db, settings, ids)
        problems = [
            (r.name, r.status, r.error, r.failed)
            for r in calm_reports
            if r.status != "ok" or r.failed or not r.new
        ]
        assert not problems, f"the calm poll must store everything: {problems}"
        before = article_rows(db)
        short = [url for url, row in before.items() if len(row[2].split()) < 15]
        assert not short, f"the calm poll must store whole articles: {short}"
        for publisher in publishers.values():
            publisher.server.requests.clear()
            hostile(publisher)

        started = utcnow()
        with recorded_connections() as connections:
            clock = time.monotonic()
            reports = ingest_due(db, settings, ids)  # ONE call for every source
            seconds = time.monotonic() - clock

    with db.session() as session:
        sources = {s.name: s for s in session.scalars(select(Source))}
        attempts: dict[str, FetchAttempt] = {}
        for attempt in session.scalars(select(FetchAttempt).order_by(FetchAttempt.id)):
            source = next(s for s in sources.values() if s.id == attempt.source_id)
            if attempt.url == source.url:
                attempts[source.name] = attempt
        articles = {a.url: a for a in session.scalars(select(Article))}
        session.expunge_all()
    yield Outcome(
        publishers=publishers,
        reports={r.name: r for r in reports},
        sources=sources,
        attempts=attempts,
        before=before,
        after=article_rows(db),
        articles=articles,
        started=started,
        seconds=seconds,
        connections=connections,
    )
    db.dispose()


# ── the hostile poll ─────────────────────────────────────────────────────────


@pytest.mark.parametrize("name", list(FAILURES))
def test_each_fault_is_recorded_as_a_failure_with_a_clear_reason(
    outcome: Outcome, name: str
) -> None:
    expected = FAILURES[name]
    report, source, attempt = outcome.reports[name], outcome.sources[name], outcome.attempts[name]

    assert report.status == "failed"
    assert expected.error in (report.error or "")
    assert (report.new, report.updated) == (0, 0)

    assert source.last_status == "failed"
    assert source.last_error_reason == expected.reason
    assert expected.error in (source.last_error or "")
    assert (source.last_error or "").startswith(expected.url or source.url)  # which URL failed
    assert source.consecutive_failures == 1
    assert source.health == "failing"
    assert source.last_success_at is not None  # the calm poll still counts
    assert source.next_poll_at is not None and source.next_poll_at > outcome.started

    assert attempt.outcome == "failed"
    assert attempt.error_reason == expected.reason
    assert expected.error in (attempt.error or "")
    assert attempt.http_status == expected.http_status


def test_good_sources_are_fully_ingested_next_to_the_faults(outcome: Outcome) -> None:
    for name in GOOD:
        report = outcome.reports[name]
        assert (report.status, report.error, report.failed) == ("ok", None, [])
        assert (report.new, report.updated, report.unchanged) == (1, 0, 2)
        base = outcome.publishers[name].base
        stored = {url for url in outcome.articles if url.startswith(base + "/")}
        assert stored == {f"{base}/a1", f"{base}/a2", f"{base}/a3"}
        third = outcome.articles[f"{base}/a3"]
        assert third.title == f"{name} third story"
        assert "third story was reported today" in third.text
        assert outcome.sources[name].health == "healthy"


def test_articles_stored_before_the_faults_are_neither_lost_nor_changed(
    outcome: Outcome,
) -> None:
    assert len(outcome.before) == len(PUBLISHERS) + len(GOOD)
    for url, row in outcome.before.items():
        assert outcome.after.get(url) == row, url


def test_whole_hostile_poll_is_quick(outcome: Outcome) -> None:
    # Bounded by the slow publisher's read timeout, not by bombs, laughs or loops.
    assert outcome.seconds < 15, outcome.seconds


def test_slow_publisher_is_given_up_on_after_the_read_timeout(outcome: Outcome) -> None:
    attempt = outcome.attempts["slow"]
    assert attempt.duration_ms is not None
    assert READ_TIMEOUT_S * 1000 * 0.9 <= attempt.duration_ms < 3 * READ_TIMEOUT_S * 1000


def test_retry_after_pushes_the_next_poll_back_an_hour(outcome: Outcome) -> None:
    source = outcome.sources["rate_limited"]
    assert source.next_poll_at is not None
    assert source.next_poll_at >= outcome.started + timedelta(seconds=3600)
    assert source.next_poll_at <= outcome.started + timedelta(seconds=3600 + 60)


def test_redirect_loop_stops_without_spinning(outcome: Outcome) -> None:
    publisher = outcome.publishers["redirect_loop"]
    assert publisher.requested("/feed.xml") == 1
    assert publisher.requested("/loop.xml") == 1


def test_redirect_to_a_private_address_is_refused_before_connecting(outcome: Outcome) -> None:
    assert outcome.connections, "the recorder saw no connection at all"
    hosts = {address[0] for address in outcome.connections if isinstance(address, tuple)}
    assert hosts == {"127.0.0.1"}, hosts  # never 10.0.0.1, never anywhere else
    assert all(isinstance(address, tuple) for address in outcome.connections)
    assert "WIREBRIEF_ALLOW_PRIVATE_NETWORKS" in (
        outcome.sources["private_redirect"].last_error or ""
    )


def test_oversized_and_bomb_bodies_stop_at_the_cap(outcome: Outcome) -> None:
    for name in ("oversized", "gzip_bomb"):
        attempt = outcome.attempts[name]
        assert str(MAX_BODY_BYTES) in (attempt.error or "")


def test_304_is_not_modified_and_pages_are_not_fetched_again(outcome: Outcome) -> None:
    report, source = outcome.reports["not_modified"], outcome.sources["not_modified"]
    publisher = outcome.publishers["not_modified"]
    assert (report.status, report.error, report.new, report.failed) == (
        "not_modified",
        None,
        0,
        [],
    )
    assert publisher.server.requests[0][1].get("if-none-match") == '"v1"'
    assert publisher.requested("/a1") == 0
    assert (source.last_status, source.health, source.etag) == ("not_modified", "healthy", '"v1"')
    attempt = outcome.attempts["not_modified"]
    assert (attempt.outcome, attempt.http_status) == ("not_modified", 304)
    assert f"{publisher.base}/a1" in outcome.articles


def test_page_declaring_utf8_but_sent_in_windows_1252_is_stored_correctly(
    outcome: Outcome,
) -> None:
    report = outcome.reports["wrong_charset"]
    assert (report.status, report.new, report.unchanged, report.failed) == ("ok", 1, 1, [])
    article = outcome.articles[outcome.publishers["wrong_charset"].base + "/a2"]
    assert article.title == CAFE_TITLE
    assert "Le café de la gare a rouvert ses portes après trois années" in article.text
    assert "à la grande joie des habitués" in article.text
    assert "\ufffd" not in article.text + article.title
    assert "cafÃ" not in article.text and "caf�" not in article.text


def test_utf16_feed_with_bom_keeps_non_ascii_titles(outcome: Outcome) -> None:
    report = outcome.reports["utf16"]
    assert (report.status, report.new, report.unchanged, report.failed) == ("ok", 1, 1, [])
    article = outcome.articles[outcome.publishers["utf16"].base + "/u2"]
    assert article.title == UTF16_TITLE
    assert "Traders in Zürich, Łódź and 東京 watched the Ærø café owners" in article.text
    assert "crème brûlée" in article.text and "euro (€)" in article.text


def test_xxe_entities_are_never_resolved(outcome: Outcome) -> None:
    publisher, report = outcome.publishers["xxe"], outcome.reports["xxe"]
    assert publisher.requested("/xxe") == 0
    assert report.status == "ok"
    assert "entities" in (report.feed_problem or "")
    source = outcome.sources["xxe"]
    assert source.last_error_reason == "malformed_feed"
    assert "XXE" in (source.last_error or "")

    hostname = (
        Path("/etc/hostname").read_text().strip()
        if Path("/etc/hostname").exists()
        else socket.gethostname()
    )
    leaked = re.compile(rf"\b{re.escape(hostname)}\b") if hostname else None
    for article in outcome.articles.values():
        stored = " ".join((article.title, article.text, article.html))
        assert XXE_SENTINEL not in stored
        assert leaked is None or not leaked.search(stored), article.url
    # The item survives; between its brackets is nothing, or the unexpanded reference.
    entity_article = outcome.articles[publisher.base + "/x2"]
    assert bracketed(entity_article) <= {"", "xxe", "net"}


def test_billion_laughs_feed_is_not_expanded(outcome: Outcome) -> None:
    publisher = outcome.publishers["billion_laughs"]
    report, source = outcome.reports["billion_laughs"], outcome.sources["billion_laughs"]
    assert (report.status, report.new, report.unchanged) == ("ok", 1, 1)
    assert "entities" in (report.feed_problem or "")
    assert source.last_error_reason == "malformed_feed"
    for article in outcome.articles.values():
        assert "lollol" not in article.text and len(article.text) < 10_000
    assert bracketed(outcome.articles[publisher.base + "/b2"]) <= {"", "lol9"}

    clock = time.monotonic()
    parse_feed(publisher.routes["/feed.xml"].body, publisher.server.url("/feed.xml"), RSS_TYPE)
    assert time.monotonic() - clock < 2.0


# ── more than one poll ───────────────────────────────────────────────────────


def test_failing_source_becomes_unhealthy_after_three_polls_and_is_never_dropped(
    settings: Settings, db: Database
) -> None:
    routes = {"/feed.xml": Route(b"oops", status=500, content_type="text/plain")}
    with FixtureServer(routes) as server:
        with db.session() as session:
            source_id = source_store.add_source(session, server.url("/feed.xml"), "broken").id
        health = []
        for _ in range(3):
            (report,) = ingest_due(db, settings, [source_id])
            assert report.status == "failed" and "HTTP 500" in (report.error or "")
            with db.session() as session:
                health.append(source_store.get_source(session, source_id).health)

    assert health == ["failing", "failing", "unhealthy"]
    with db.session() as session:
        source = source_store.get_source(session, source_id)
        assert (source.consecutive_failures, source.last_error_reason) == (3, "http_error")
        assert source.enabled and not source.blocked
        assert source_id in [s.id for s in source_store.list_sources(session)]
        assert source.next_poll_at is not None
        assert source_id not in source_store.due_source_ids(db)
        later = source.next_poll_at + timedelta(seconds=1)
        assert source_id in source_store.due_source_ids(db, now=later)
        attempts = session.scalars(
            select(FetchAttempt.error_reason).where(FetchAttempt.source_id == source_id)
        ).all()
        assert attempts == ["http_error"] * 3


def test_feed_answered_304_keeps_its_articles(settings: Settings, db: Database) -> None:
    routes: dict[str, Route] = {}
    with FixtureServer(routes) as server:
        item = Item("/story", "Kept story", summary("Kept story"))
        routes["/feed.xml"] = Route(
            rss(server.base_url, [item]).encode(), content_type=RSS_TYPE, headers={"ETag": '"e1"'}
        )
        routes["/story"] = page_route("Kept story", "Kept story text was reported today.")
        with db.session() as session:
            source_id = source_store.add_source(session, server.url("/feed.xml"), "etag").id
        (first,) = ingest_due(db, settings, [source_id])
        stored = article_rows(db)
        (second,) = ingest_due(db, settings, [source_id])

    assert (first.status, first.new) == ("ok", 1)
    assert (second.status, second.new, second.unchanged) == ("not_modified", 0, 0)
    assert article_rows(db) == stored and len(stored) == 1
    with db.session() as session:
        source = source_store.get_source(session, source_id)
        assert (source.last_status, source.health, source.consecutive_failures) == (
            "not_modified",
            "healthy",
            0,
        )
        assert source.next_poll_at is not None and source.next_poll_at > utcnow()


def make_due(db: Database) -> None:
    """Time passes: every entry waiting in the inbox may be tried now."""
    with db.session() as session:
        session.execute(update(PendingEntry).values(not_before=utcnow()))


def test_page_that_fails_for_a_while_waits_in_the_inbox(settings: Settings, db: Database) -> None:
    """A page failing for a passing reason (HTTP 500) stays in the inbox, tried again with
    backoff, and the listing keeps its ETag: the entry is not lost behind a 304."""
    routes: dict[str, Route] = {}
    with FixtureServer(routes) as server:
        items = [Item(f"/story-{n}", f"Story {n}", summary(f"Story {n}")) for n in (1, 2)]
        routes["/feed.xml"] = Route(
            rss(server.base_url, items).encode(), content_type=RSS_TYPE, headers={"ETag": '"e1"'}
        )
        routes["/story-1"] = page_route("Story 1", "Story one text was reported today.")
        routes["/story-2"] = Route(b"busy", status=500, content_type="text/plain")
        with db.session() as session:
            source_id = source_store.add_source(session, server.url("/feed.xml"), "etag").id
        (first,) = ingest_due(db, settings, [source_id])
        with db.session() as session:
            assert source_store.get_source(session, source_id).etag == '"e1"'
            (waiting,) = session.scalars(select(PendingEntry)).all()
            assert waiting.url.endswith("/story-2") and waiting.attempts == 1
            assert waiting.not_before > utcnow() + timedelta(
                seconds=settings.min_poll_interval_s / 2
            )
        assert ingest_due(db, settings) == []  # nothing is due: the entry waits its turn
        routes["/story-2"] = page_route("Story 2", "Story two text was reported today.")
        make_due(db)
        (second,) = ingest_due(db, settings)  # not polled: only the waiting entry
        (third,) = ingest_due(db, settings, [source_id])

    assert (first.status, first.new, len(first.deferred), first.failed) == ("ok", 1, 1, [])
    assert "HTTP 500" in first.deferred[0][1]
    assert (second.status, second.new) == ("not_due", 1)
    assert (third.status, third.new) == ("not_modified", 0)
    assert len(article_rows(db)) == 2
    with db.session() as session:
        assert inbox.waiting(session) == 0


def test_an_entry_failing_every_try_leaves_and_the_listing_is_read_in_full(
    settings: Settings, db: Database
) -> None:
    routes: dict[str, Route] = {}
    with FixtureServer(routes) as server:
        item = Item("/story", "Story", summary("Story"))
        routes["/feed.xml"] = Route(
            rss(server.base_url, [item]).encode(), content_type=RSS_TYPE, headers={"ETag": '"e1"'}
        )
        routes["/story"] = Route(b"busy", status=503, content_type="text/plain")
        with db.session() as session:
            source_id = source_store.add_source(session, server.url("/feed.xml"), "etag").id
        ingest_due(db, settings, [source_id])
        with db.session() as session:
            session.execute(update(PendingEntry).values(attempts=MAX_ENTRY_ATTEMPTS - 1))
        make_due(db)
        (last,) = ingest_due(db, settings, [source_id])
    assert len(last.failed) == 1 and not last.deferred
    with db.session() as session:
        assert inbox.waiting(session) == 0
        assert source_store.get_source(session, source_id).etag is None  # read in full next


def test_transient_fetch_errors() -> None:
    url = "https://a.example/x"
    assert FetchTimeout(url, "slow").transient
    assert ConnectionFailed(url, "reset").transient
    assert HTTPStatusError(url, 503, "busy").transient
    assert RateLimited(url, 429, 30.0).transient
    assert not HTTPStatusError(url, 404, "gone").transient
    assert not RobotsDisallowed(url, "robots.txt").transient
