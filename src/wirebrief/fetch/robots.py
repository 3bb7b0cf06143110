"""robots.txt as RFC 9309 reads it, fetched once per origin and kept for at most a day.

- 2xx: the rules (§2.3.1.1); 4xx other than 429: no rules, everything allowed (§2.3.1.3);
  more redirects than the fetcher follows: the same (§2.3.1.2).
- Unreachable (5xx, 429, a timeout, no connection): complete disallow (§2.3.1.4). A copy
  read earlier is used meanwhile, if there is one; without one, pages of the host fail
  as :class:`~wirebrief.errors.RobotsUnreachable`, a passing failure retried later.
- A copy is used for at most :data:`ROBOTS_TTL_S` (§2.4), then read again; an unreachable
  answer is asked again after :data:`UNREACHABLE_RETRY_S`, not for every page.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from wirebrief.errors import (
    FetchError,
    HostCoolingDown,
    RobotsDisallowed,
    RobotsUnreachable,
    TooManyRedirects,
)

ROBOTS_TTL_S = 24 * 3600.0
UNREACHABLE_RETRY_S = 300.0
# Origins remembered at once; a long-running process meets many more over its life.
MAX_ORIGINS = 10_000

ALLOW_ALL = Protego.parse("")
# GET a URL: its status and body, whatever the status; FetchError on transport failures.
RobotsLoader = Callable[[str], Awaitable[tuple[int, bytes]]]


@dataclass(frozen=True)
class _Copy:
    """What we know of one origin's robots.txt until ``expires`` (a clock reading)."""

    rules: Protego | None  # None: unreachable and no earlier copy, so nothing is allowed
    expires: float
    why: str = ""  # why it was unreachable


class RobotsCache:
    """The robots.txt rules of each origin, read through ``load``."""

    def __init__(
        self,
        load: RobotsLoader,
        user_agent: str,
        *,
        ttl_s: float = ROBOTS_TTL_S,
        unreachable_retry_s: float = UNREACHABLE_RETRY_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load = load
        self._user_agent = user_agent
        self.ttl_s = ttl_s
        self.unreachable_retry_s = unreachable_retry_s
        self.clock = clock
        self._copies: dict[str, _Copy] = {}
        self._loading: dict[str, asyncio.Future[_Copy]] = {}

    async def check(self, url: str) -> None:
        """Raise :class:`RobotsDisallowed` or :class:`RobotsUnreachable` unless robots.txt
        lets our user agent fetch ``url``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        copy = self._copies.get(origin)
        if copy is None or copy.expires <= self.clock():
            copy = await self._refresh(origin)
        if copy.rules is None:
            left = max(1.0, copy.expires - self.clock())
            raise RobotsUnreachable(url, copy.why, left)
        if not copy.rules.can_fetch(url, self._user_agent):
            raise RobotsDisallowed(url, "robots.txt of this host disallows fetching it")

    async def _refresh(self, origin: str) -> _Copy:
        """One request per origin, however many pages wait for it."""
        pending = self._loading.get(origin)
        if pending is None:
            pending = self._loading[origin] = asyncio.ensure_future(self._read(origin))
            pending.add_done_callback(lambda _: self._loading.pop(origin, None))
        return await asyncio.shield(pending)

    async def _read(self, origin: str) -> _Copy:
        try:
            status, body = await self._load(f"{origin}/robots.txt")
        except HostCoolingDown:
            raise  # the page waits for the host like any request; nothing learnt
        except TooManyRedirects:
            copy = _Copy(ALLOW_ALL, self.clock() + self.ttl_s)
        except FetchError as exc:
            copy = self._unreachable(origin, str(exc).removeprefix(f"{exc.url}: "))
        else:
            copy = self._from_status(origin, status, body)
        self._remember(origin, copy)
        return copy

    def _from_status(self, origin: str, status: int, body: bytes) -> _Copy:
        if status == 429 or status >= 500:
            return self._unreachable(origin, f"HTTP {status}")
        if status >= 400:
            return _Copy(ALLOW_ALL, self.clock() + self.ttl_s)
        text = body.decode("utf-8", errors="replace")
        return _Copy(Protego.parse(text), self.clock() + self.ttl_s)

    def _unreachable(self, origin: str, why: str) -> _Copy:
        """Disallow all for a while, or keep the rules read before (§2.3.1.4)."""
        earlier = self._copies.get(origin)
        rules = earlier.rules if earlier is not None else None
        return _Copy(rules, self.clock() + self.unreachable_retry_s, why)

    def _remember(self, origin: str, copy: _Copy) -> None:
        self._copies.pop(origin, None)  # re-insert: the dict's order is the eviction order
        self._copies[origin] = copy
        if len(self._copies) > MAX_ORIGINS:
            del self._copies[next(iter(self._copies))]
