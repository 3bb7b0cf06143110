"""Politeness per host: a concurrency limit, a minimum gap between requests, cooldowns.

No request waits out a cooldown longer than :data:`MAX_COOLDOWN_WAIT_S`: it fails at once
as :class:`~wirebrief.errors.HostCoolingDown` (a passing failure, retried after the
cooldown), so a host that asked for an hour's pause holds no slot and stalls no run. The
concurrency limit is per process. Request starts and cooldowns are booked in a
:class:`StartSchedule`: this process's memory by default, or one that every process
shares (``storage/hostschedule.py`` on PostgreSQL, for ``wirebrief worker``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from wirebrief.errors import HostCoolingDown
from wirebrief.settings import Settings

# The longest a request may wait for a host's cooldown to end, rather than be deferred.
MAX_COOLDOWN_WAIT_S = 2.0


class StartSchedule(Protocol):
    """Where request starts and cooldowns per host are booked."""

    async def reserve(self, host: str, gap_s: float, max_cooldown_s: float) -> float | None:
        """Book the next start for ``host``, ``gap_s`` after the one booked before it and
        not inside a cooldown; the seconds from now until it. None, booking nothing, while
        the host cools down for more than ``max_cooldown_s``."""
        ...

    async def cool_down(self, host: str, seconds: float) -> None:
        """Book no start for ``host`` in the next ``seconds`` (never shortens a cooldown)."""
        ...

    async def cooldown_left(self, host: str) -> float:
        """Seconds until the cooldown of ``host`` ends (0 when it has none)."""
        ...


@dataclass
class _Bookings:
    next_start: float = 0.0  # time.monotonic()
    cooldown_until: float = 0.0


class MemorySchedule:
    """A :class:`StartSchedule` in this process's memory: for one process, no round trip."""

    def __init__(self) -> None:
        self._hosts: dict[str, _Bookings] = {}

    # No await inside: no other task books in between.
    async def reserve(self, host: str, gap_s: float, max_cooldown_s: float) -> float | None:
        """Book the next start for ``host``; the seconds from now until it (None while it
        cools down for longer than ``max_cooldown_s``)."""
        now = time.monotonic()
        bookings = self._hosts.setdefault(host, _Bookings())
        if bookings.cooldown_until - now > max_cooldown_s:
            return None
        start = max(bookings.next_start, bookings.cooldown_until, now)
        bookings.next_start = start + gap_s
        return start - now

    async def cool_down(self, host: str, seconds: float) -> None:
        """Book no start for ``host`` in the next ``seconds``."""
        bookings = self._hosts.setdefault(host, _Bookings())
        bookings.cooldown_until = max(bookings.cooldown_until, time.monotonic() + seconds)

    async def cooldown_left(self, host: str) -> float:
        """Seconds until the cooldown of ``host`` ends."""
        bookings = self._hosts.get(host)
        return max(0.0, bookings.cooldown_until - time.monotonic()) if bookings else 0.0


class HostLimiter:
    """At most ``per_host`` requests at once to a host, starts at least ``min_delay_s`` apart.

    A host that answered 429 or 503 is cooled down: nobody starts a request to it
    until the cooldown ends, and a request that would wait for it longer than
    :data:`MAX_COOLDOWN_WAIT_S` is refused instead. Starts and cooldowns go through
    ``schedule`` (this process's memory unless another is given); the concurrency limit
    is this process's.
    """

    def __init__(
        self, per_host: int = 2, min_delay_s: float = 1.0, schedule: StartSchedule | None = None
    ) -> None:
        self.per_host = per_host
        self.min_delay_s = min_delay_s
        self.schedule: StartSchedule = schedule or MemorySchedule()
        self._semaphores: dict[str, asyncio.Semaphore] = {}

    @classmethod
    def from_settings(
        cls, settings: Settings, schedule: StartSchedule | None = None
    ) -> HostLimiter:
        """The limiter ``settings`` ask for (per-host concurrency and delay)."""
        return cls(settings.per_host_concurrency, settings.per_host_delay_s, schedule)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a free slot for ``host`` and hold it for one request; raise
        :class:`HostCoolingDown` (URL ``//host``) when its cooldown is too long to wait."""
        semaphore = self._semaphores.get(host)
        if semaphore is None:
            semaphore = self._semaphores[host] = asyncio.Semaphore(self.per_host)
        async with semaphore:
            # Booked only now, holding the slot: a cooldown recorded while this request
            # queued counts, so no request sleeps through one.
            wait = await self.schedule.reserve(host, self.min_delay_s, MAX_COOLDOWN_WAIT_S)
            if wait is None:
                raise HostCoolingDown(f"//{host}", await self.schedule.cooldown_left(host))
            if wait > 0:
                await asyncio.sleep(wait)
            yield

    async def cool_down(self, host: str, seconds: float) -> None:
        """Start no request to ``host`` for ``seconds``."""
        await self.schedule.cool_down(host, seconds)

    async def cooldown_left(self, host: str) -> float:
        """Seconds until requests to ``host`` may start again after a cooldown."""
        return await self.schedule.cooldown_left(host)
