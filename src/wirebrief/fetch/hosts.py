"""Politeness per host: a concurrency limit, a minimum gap between requests, cooldowns."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class _HostState:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0


class HostLimiter:
    """At most ``per_host`` requests at once to a host, starts at least ``min_delay_s`` apart.

    A host that answered 429 or 503 is cooled down: nobody starts a request to it
    until the cooldown ends.
    """

    def __init__(self, per_host: int = 2, min_delay_s: float = 1.0) -> None:
        self.per_host = per_host
        self.min_delay_s = min_delay_s
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(asyncio.Semaphore(self.per_host))
        return state

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a free slot for ``host`` and hold it for one request."""
        state = self._state(host)
        async with state.semaphore:
            async with state.lock:
                wait = state.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                state.next_start = max(state.next_start, time.monotonic()) + self.min_delay_s
            yield

    def cool_down(self, host: str, seconds: float) -> None:
        """Start no request to ``host`` for ``seconds``."""
        state = self._state(host)
        state.next_start = max(state.next_start, time.monotonic() + seconds)

    def cooldown_left(self, host: str) -> float:
        """Seconds until the next request to ``host`` may start."""
        state = self._hosts.get(host)
        return max(0.0, state.next_start - time.monotonic()) if state else 0.0
