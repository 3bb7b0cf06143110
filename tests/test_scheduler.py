"""``wirebrief run``'s scheduler: polls due sources in a thread until told to stop."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from tests.support.httpserver import FixtureServer, Route
from wirebrief.scheduler import MAX_SLEEP_S, MIN_SLEEP_S, run_scheduler, seconds_until_next_poll
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

PAGE = (
    "<html lang='en'><head><title>Scheduled story</title></head><body><article>"
    "<h1>Scheduled story</h1><p>{}</p></article></body></html>"
).format("The scheduler fetched this article on its own, without anyone asking. " * 4)


def test_scheduler_ingests_due_sources_then_stops(settings: Settings, db: Database) -> None:
    assert seconds_until_next_poll(db) == MAX_SLEEP_S  # nothing to poll yet
    with FixtureServer() as server:
        server.routes["/story"] = Route(PAGE.encode())
        server.routes["/feed.xml"] = Route(
            (
                '<rss version="2.0"><channel><title>T</title><link>http://127.0.0.1/</link>'
                f"<description>d</description><item><title>Scheduled story</title>"
                f"<link>{server.url('/story')}</link></item></channel></rss>"
            ).encode(),
            content_type="application/rss+xml",
        )
        with db.session() as session:
            source_store.add_source(session, server.url("/feed.xml"), "fixture")
        stop = threading.Event()
        worker = threading.Thread(target=run_scheduler, args=(db, settings, stop))
        worker.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with db.session() as session:
                if session.scalar(select(func.count(Article.id))):
                    break
            time.sleep(0.05)
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    with db.session() as session:
        assert session.scalars(select(Article.title)).all() == ["Scheduled story"]
    # The source was polled and rescheduled a poll interval from now.
    assert MIN_SLEEP_S <= seconds_until_next_poll(db) <= MAX_SLEEP_S
