"""One host answering 429 with ``Retry-After: 3600`` beside healthy ones: its entries are
deferred (kept in the inbox, tried again after the hour), nobody waits out the hour, the run
finishes, and the other hosts' entries are all stored, by ``wirebrief fetch``'s
``ingest_due`` and by ``wirebrief run``'s scheduler alike. Every server is on 127.0.0.1.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests.support.httpserver import FixtureServer, Route
from tests.support.newswire import Newswire
from wirebrief.pipeline import ingest_due
from wirebrief.scheduler import run_scheduler
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, PendingEntry
from wirebrief.times import utcnow

ITEMS = 6
HOUR = 3600


@pytest.fixture
def wires() -> Iterator[tuple[Newswire, list[Newswire]]]:
    """A rate-limiting publisher (every page: 429, Retry-After one hour) and two calm ones,
    each its own host:port."""
    with ExitStack() as stack:
        servers = [stack.enter_context(FixtureServer()) for _ in range(3)]
        busy, *calm = (Newswire(server, ITEMS, first=100 * n) for n, server in enumerate(servers))
        for item in busy.items:
            busy.server.routes[item.path] = Route(
                b"slow down", status=429, headers={"Retry-After": str(HOUR)}, delay_s=0.1
            )
        yield busy, calm


def page_requests(wire: Newswire) -> int:
    return wire.page_requests()


def add_sources(db: Database, wires: list[Newswire]) -> list[int]:
    with db.session() as session:
        return [
            source_store.add_source(session, wire.feed_url, f"wire {n}").id
            for n, wire in enumerate(wires)
        ]


def test_a_429_defers_its_host_and_the_fetch_finishes(
    settings: Settings, db: Database, wires: tuple[Newswire, list[Newswire]]
) -> None:
    busy, calm = wires
    strict = settings.with_overrides(per_host_concurrency=1)
    busy_id, *calm_ids = add_sources(db, [busy, *calm])
    reports: list = []
    run = threading.Thread(target=lambda: reports.extend(ingest_due(db, strict)))
    run.start()
    run.join(timeout=120)
    assert not run.is_alive(), "the fetch waited for the host's hour"

    by_source = {report.source_id: report for report in reports}
    assert by_source[busy_id].new == 0
    assert len(by_source[busy_id].deferred) == ITEMS
    assert page_requests(busy) == 1  # the first 429 cooled the host: no more requests
    assert all(by_source[sid].new == ITEMS and not by_source[sid].deferred for sid in calm_ids), (
        reports
    )
    with db.session() as session:
        waiting = session.scalars(select(PendingEntry)).all()
        assert {entry.source_id for entry in waiting} == {busy_id}
        assert len(waiting) == ITEMS
        soonest = min(entry.not_before for entry in waiting)
        assert soonest > utcnow() + timedelta(seconds=HOUR - 120)  # after the Retry-After

    # The hour passes and the publisher is calm again: the next run stores them.
    for item in busy.items:
        busy.server.routes[item.path] = Route(item.page())
    with db.session() as session:
        session.execute(update(PendingEntry).values(not_before=utcnow()))
    later = {r.source_id: r for r in ingest_due(db, strict)}
    assert set(later) == {busy_id}  # only what waited: no source was due for a poll
    assert later[busy_id].new == ITEMS
    with db.session() as session:
        assert session.scalar(select(func.count(Article.id))) == 3 * ITEMS
        assert session.scalar(select(func.count(PendingEntry.id))) == 0


def test_the_scheduler_keeps_polling_beside_a_rate_limited_host(
    settings: Settings, db: Database, wires: tuple[Newswire, list[Newswire]]
) -> None:
    busy, calm = wires
    busy_id, *_ = add_sources(db, [busy, *calm])
    stop = threading.Event()
    scheduler = threading.Thread(target=run_scheduler, args=(db, settings, stop))
    scheduler.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with db.session() as session:
                stored = session.scalar(select(func.count(Article.id)))
                deferred = session.scalar(
                    select(func.count(PendingEntry.id)).where(PendingEntry.attempts > 0)
                )
            if stored == 2 * ITEMS and deferred == ITEMS:
                break
            time.sleep(0.1)
    finally:
        stop.set()
        scheduler.join(timeout=15)
    assert not scheduler.is_alive(), "the scheduler did not stop"
    assert (stored, deferred) == (2 * ITEMS, ITEMS)
    assert page_requests(busy) <= 2  # per_host_concurrency 2: at most the first two
    with db.session() as session:
        busy_source = source_store.get_source(session, busy_id)
        assert busy_source.last_status == "ok"  # its listing was read; only pages wait


def test_an_unreachable_robots_txt_defers_the_pages_instead_of_failing_them(
    settings: Settings, db: Database
) -> None:
    """RFC 9309: robots.txt answering 503 means no page may be fetched now; the entries
    wait in the inbox (not failed for good) and are stored once robots.txt answers."""
    with FixtureServer() as server:
        wire = Newswire(server, ITEMS, first=700)
        server.routes["/robots.txt"] = Route(b"down", status=503, content_type="text/plain")
        add_sources(db, [wire])
        (first,) = ingest_due(db, settings)
        assert page_requests(wire) == 0
        assert (first.new, len(first.deferred), first.failed) == (0, ITEMS, [])
        assert "robots.txt of this host is unreachable" in first.deferred[0][1]
        server.routes["/robots.txt"] = Route(b"User-agent: *\nAllow: /\n")
        with db.session() as session:
            session.execute(update(PendingEntry).values(not_before=utcnow()))
        (later,) = ingest_due(db, settings)
    assert later.new == ITEMS
