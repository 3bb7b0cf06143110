"""Crash test: ``wirebrief fetch`` SIGKILLed again and again while it ingests a 500-item feed
with an ETag; restarted each time, it ends with every item stored exactly once, searchable
and in its story, the SQLite file intact, and no page-stage process left behind.

The kill moments are drawn from a seeded generator (``WIREBRIEF_CRASH_SEED`` picks another
run): half of them while the feed is being read (the poll), half while pages are fetched
and stored. The assertions do not depend on where the kills land. This test is the promise
the store stage keeps whatever it becomes: nothing listed is lost, nothing is stored twice.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.httpserver import FixtureServer
from tests.support.newswire import Newswire, assert_stored_once
from tests.support.processes import family, spawn, stopped, survivors, wait_until
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database

SEED = int(os.environ.get("WIREBRIEF_CRASH_SEED", "20261207"))
FIRST_ITEMS = 480
LATER_ITEMS = 20  # published between kills: a second poll with a new ETag
FEED_SECONDS = 1.5  # the feed is sent slowly, so that a kill can land inside the poll
ORPHAN_GRACE_S = 5.0  # page-stage workers check for their parent twice a second


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    stopped(iter(started))


def kill_during_poll(process: subprocess.Popen[bytes], wire: Newswire, rng: random.Random) -> str:
    """SIGKILL at a random moment while the feed is being read (or just after it was)."""
    seen = wire.feed_requests()
    wait_until(lambda: wire.feed_requests() > seen, 60, "the feed to be requested")
    time.sleep(rng.uniform(0.0, FEED_SECONDS * 1.2))
    return _kill(process)


def kill_during_pages(process: subprocess.Popen[bytes], wire: Newswire, rng: random.Random) -> str:
    """SIGKILL after a random number of further page requests."""
    target = wire.page_requests() + rng.randint(10, 120)
    wait_until(
        lambda: wire.page_requests() >= target or process.poll() is not None, 120,
        "pages to be fetched",
    )  # fmt: skip
    time.sleep(rng.uniform(0.0, 0.3))
    return _kill(process)


def _kill(process: subprocess.Popen[bytes]) -> str:
    members = family(process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    left = survivors(members, ORPHAN_GRACE_S)
    assert not left, f"left running after SIGKILL: {[(p.pid, p.name()) for p in left]}"
    return f"killed with {len(members) - 1} children"


def test_sigkill_at_random_moments_loses_and_repeats_nothing(
    settings: Settings,
    db: Database,
    processes: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    log = tmp_path / "fetch.log"
    url = settings.database_url
    with FixtureServer() as server:
        wire = Newswire(server, FIRST_ITEMS, feed_seconds=FEED_SECONDS)
        with db.session() as session:
            source_id = source_store.add_source(session, wire.feed_url, "The Wire").id

        def fetch(*args: str) -> subprocess.Popen[bytes]:
            process = spawn("fetch", *args, database_url=url, log=log,
                            WIREBRIEF_EXTRACT_WORKERS="2")  # fmt: skip
            processes.append(process)
            return process

        kills = [
            kill_during_poll(fetch(), wire, rng),  # the first poll
            kill_during_pages(fetch(), wire, rng),
            kill_during_pages(fetch(), wire, rng),
        ]
        wire.publish(LATER_ITEMS)  # new items, a new ETag: polled on demand, mid-ingest
        kills += [
            kill_during_poll(fetch("--source", str(source_id)), wire, rng),
            kill_during_pages(fetch(), wire, rng),
            kill_during_poll(fetch("--source", str(source_id)), wire, rng),
            kill_during_pages(fetch(), wire, rng),
        ]
        for last in (fetch(), fetch("--source", str(source_id))):  # to the end, then a 304
            assert last.wait(timeout=900) == 0, log.read_text(errors="replace")[-3000:]
        etag = wire.etag

    assert len(kills) >= 5
    with db.session() as session:
        assert session.scalar(text("PRAGMA integrity_check")) == "ok"
        assert source_store.get_source(session, source_id).etag == etag
    assert_stored_once(db, wire)
