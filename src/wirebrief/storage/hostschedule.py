"""Request starts and cooldowns per host in PostgreSQL, shared by every worker.

Each start is one atomic upsert on the host's ``host_schedule`` row, so starts are at
least the gap apart across all processes and machines, and a cooldown one worker
records holds for all. Times come from the database's clock, never the worker's, read
when the statement runs (``clock_timestamp()``, after any wait for the row's lock; ``now()``
would be the transaction's start, before it).

When the database fails (unreachable, or not migrated), the request is spaced by the
fallback schedule instead (this process's memory): politeness degrades to per process, the
worker keeps going.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import TextClause, text
from sqlalchemy.exc import SQLAlchemyError

from wirebrief.storage.db import Database

if TYPE_CHECKING:  # the protocol this implements; storage never imports fetch at run time
    from wirebrief.fetch.hosts import StartSchedule

log = logging.getLogger(__name__)

_FAILED = object()  # the database did not answer

# The reserved start is the later of the host's next free start, the end of its cooldown
# and now; the next free start moves to the reserved one plus the gap. No row comes back,
# and nothing is booked, while the cooldown lasts longer than :max_cooldown seconds.
_RESERVE = text("""
    INSERT INTO host_schedule AS s (host, next_start_at)
    VALUES (:host, clock_timestamp() + make_interval(secs => :gap))
    ON CONFLICT (host) DO UPDATE SET next_start_at =
        greatest(s.next_start_at, s.cooldown_until, clock_timestamp())
        + make_interval(secs => :gap)
    WHERE s.cooldown_until IS NULL
       OR s.cooldown_until <= clock_timestamp() + make_interval(secs => :max_cooldown)
    RETURNING extract(epoch FROM s.next_start_at - make_interval(secs => :gap)
                                 - clock_timestamp())
""")
_COOL_DOWN = text("""
    INSERT INTO host_schedule AS s (host, next_start_at, cooldown_until)
    VALUES (:host, clock_timestamp(), clock_timestamp() + make_interval(secs => :seconds))
    ON CONFLICT (host) DO UPDATE
    SET cooldown_until = greatest(s.cooldown_until, excluded.cooldown_until)
    RETURNING s.cooldown_until
""")
_COOLDOWN_LEFT = text("""
    SELECT coalesce(max(greatest(extract(epoch FROM cooldown_until - clock_timestamp()), 0)), 0)
    FROM host_schedule WHERE host = :host
""")


class PostgresSchedule:
    """A :class:`~wirebrief.fetch.hosts.StartSchedule` in PostgreSQL's ``host_schedule``."""

    def __init__(self, db: Database, fallback: StartSchedule) -> None:
        self.db = db
        self._fallback = fallback
        self._reachable = True

    async def reserve(self, host: str, gap_s: float, max_cooldown_s: float) -> float | None:
        """Book the next start for ``host``; the seconds from now until it (None while it
        cools down for longer than ``max_cooldown_s``, for whichever worker recorded it)."""
        params = {"host": host, "gap": gap_s, "max_cooldown": max_cooldown_s}
        seconds = await self._run(host, _RESERVE, params)
        if seconds is _FAILED:
            return await self._fallback.reserve(host, gap_s, max_cooldown_s)
        return None if seconds is None else float(seconds)

    async def cool_down(self, host: str, seconds: float) -> None:
        """Book no start for ``host`` in the next ``seconds``, for every worker."""
        if await self._run(host, _COOL_DOWN, {"host": host, "seconds": seconds}) is _FAILED:
            await self._fallback.cool_down(host, seconds)

    async def cooldown_left(self, host: str) -> float:
        """Seconds until the cooldown of ``host`` ends, whichever worker recorded it."""
        seconds = await self._run(host, _COOLDOWN_LEFT, {"host": host})
        if seconds is _FAILED:
            return await self._fallback.cooldown_left(host)
        return float(seconds)

    async def _run(self, host: str, statement: TextClause, params: dict[str, Any]) -> Any:
        """The statement's one value (None without a row); :data:`_FAILED` when the
        database failed (with a warning when it starts failing, so an outage logs once,
        not once per request)."""
        try:
            value = await asyncio.to_thread(self._execute, statement, params)
        except SQLAlchemyError as exc:
            if self._reachable:
                log.warning(
                    "host schedule: the database failed (%s); requests to %s and "
                    "other hosts are spaced by this worker alone until it does",
                    str(exc).splitlines()[0], host,
                )  # fmt: skip
            self._reachable = False
            return _FAILED
        if not self._reachable:
            log.info("host schedule: the database answers again; all workers share it")
            self._reachable = True
        return value

    def _execute(self, statement: TextClause, params: dict[str, Any]) -> Any:
        with self.db.session() as session:
            return session.execute(statement, params).scalar()
