"""Politeness per host shared by workers: starts and cooldowns booked in PostgreSQL.

Each worker has its own engine and limiter, as separate ``wirebrief worker`` processes do.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from tests.support.httpserver import FixtureServer, Route
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from wirebrief.errors import HostCoolingDown, RateLimited
from wirebrief.fetch import Fetcher
from wirebrief.fetch.fetcher import host_key
from wirebrief.fetch.hosts import HostLimiter, MemorySchedule
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.hostschedule import PostgresSchedule

HOST = "news.example"
GAP_S = 0.2
# Sleeping for a reserved start is exact to a few milliseconds, not to the microsecond.
SLACK_S = 0.03


@pytest.fixture
def workers(pg_db: Database) -> Iterator[list[HostLimiter]]:  # noqa: F811
    """Two workers' limiters, each on its own engine, sharing the database's schedule."""
    engines = [Database(pg_db.url), Database(pg_db.url)]
    yield [HostLimiter(per_host=3, min_delay_s=GAP_S, schedule=PostgresSchedule(db, MemorySchedule()))
           for db in engines]  # fmt: skip
    for db in engines:
        db.dispose()


def unreachable_database() -> Database:
    """A PostgreSQL URL on a local port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return Database(f"postgresql+psycopg://wirebrief@127.0.0.1:{port}/nowhere")


async def starts(limiter: HostLimiter, count: int, host: str = HOST) -> list[float]:
    """Take ``count`` slots for ``host`` at once; when each began."""
    began: list[float] = []

    async def one() -> None:
        async with limiter.slot(host):
            began.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(count)))
    return began


def test_two_workers_space_their_starts_together(workers: list[HostLimiter]) -> None:
    async def scenario() -> list[float]:
        both = await asyncio.gather(*(starts(limiter, 3) for limiter in workers))
        return sorted(itertools.chain(*both))

    began = asyncio.run(scenario())
    gaps = [later - earlier for earlier, later in itertools.pairwise(began)]
    assert len(began) == 6
    assert min(gaps) >= GAP_S - SLACK_S, gaps
    # Spaced per worker only, six starts would span 2 × 0.2 s, not 5 × 0.2 s.
    assert began[-1] - began[0] >= 5 * GAP_S - SLACK_S
    assert began[-1] - began[0] < 5 * GAP_S + 1.0


def test_a_cooldown_one_worker_records_holds_for_the_other(
    workers: list[HostLimiter],
) -> None:
    first, second = workers

    async def scenario() -> tuple[float, float, float, float]:
        await first.cool_down(HOST, 60.0)
        await first.cool_down(HOST, 1.0)  # never shortens the longer one
        long_left = await second.cooldown_left(HOST)
        other_host = await second.cooldown_left("other.example")
        await first.cool_down("short.example", 0.4)
        began = time.monotonic()
        async with second.slot("short.example"):
            waited = time.monotonic() - began
        return long_left, other_host, waited, await second.cooldown_left("short.example")

    long_left, other_host, waited, short_left_after = asyncio.run(scenario())
    assert 55.0 < long_left <= 60.0
    assert other_host == 0.0
    assert 0.4 - SLACK_S <= waited < 2.0
    assert short_left_after == 0.0


def test_a_rate_limited_host_fails_fast_on_every_worker(
    pg_db: Database,  # noqa: F811
    settings: Settings,
) -> None:
    """A 429 seen by one worker's fetcher: the other's fetches give up without a request."""
    routes = {"/busy": Route(status=429, headers={"Retry-After": "120"}), "/page": Route(b"ok")}
    with FixtureServer(routes) as server:

        async def scenario() -> HostCoolingDown:
            fetchers = [
                Fetcher(
                    settings,
                    HostLimiter.from_settings(settings, PostgresSchedule(pg_db, MemorySchedule())),
                )
                for _ in range(2)
            ]
            try:
                with pytest.raises(RateLimited):
                    await fetchers[0].fetch(server.url("/busy"))
                with pytest.raises(HostCoolingDown) as caught:
                    await fetchers[1].fetch(server.url("/page"))
                return caught.value
            finally:
                for fetcher in fetchers:
                    await fetcher.aclose()

        error = asyncio.run(scenario())
        assert [path for path, _headers in server.requests] == ["/busy"]
    assert 100 < error.retry_after_s <= 120
    with pg_db.session() as session:
        hosts = list(session.scalars(text("SELECT host FROM host_schedule")))
    assert hosts == [host_key(server.base_url)]


def test_unreachable_database_falls_back_to_this_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No database: requests are still spaced and cooled down, by this process, and the
    outage is logged once."""
    db = unreachable_database()
    limiter = HostLimiter(
        per_host=3, min_delay_s=0.1, schedule=PostgresSchedule(db, MemorySchedule())
    )

    async def scenario() -> tuple[list[float], float, float]:
        began = sorted(await starts(limiter, 3))
        await limiter.cool_down(HOST, 30.0)
        return began, await limiter.cooldown_left(HOST), await limiter.cooldown_left("b.example")

    with caplog.at_level(logging.WARNING, logger="wirebrief.storage.hostschedule"):
        began, left, other = asyncio.run(scenario())
    db.dispose()
    assert min(b - a for a, b in itertools.pairwise(began)) >= 0.1 - SLACK_S
    assert 25.0 < left <= 30.0
    assert other == 0.0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "the database failed" in warnings[0].getMessage()


def test_the_schedule_is_shared_again_once_the_database_answers(
    pg_db: Database,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = unreachable_database()
    schedule = PostgresSchedule(down, MemorySchedule())

    async def scenario() -> float:
        await schedule.reserve(HOST, 30.0, 2.0)  # booked in memory: the database is down
        schedule.db = pg_db
        await schedule.reserve(HOST, 30.0, 2.0)
        return await schedule.reserve(HOST, 30.0, 2.0)

    with caplog.at_level(logging.INFO, logger="wirebrief.storage.hostschedule"):
        wait = asyncio.run(scenario())
    down.dispose()
    assert 25.0 < wait <= 30.0  # the second booking in the database, not the third
    assert "answers again" in caplog.text
