"""A small in-process sliding-window rate limiter, keyed by client address."""

from __future__ import annotations

import time
from collections import OrderedDict, deque

from fastapi import HTTPException, Request


class RateLimiter:
    """At most ``limit`` hits per ``window_s`` seconds for each key (memory is bounded)."""

    def __init__(self, limit: int, window_s: float, max_keys: int = 10_000) -> None:
        self.limit, self.window_s, self.max_keys = limit, window_s, max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        """Count one hit for ``key``; False when it is over the limit."""
        now = time.monotonic()
        hits = self._hits.pop(key, None) or deque()
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        self._hits[key] = hits
        if len(self._hits) > self.max_keys:
            self._hits.popitem(last=False)
        if len(hits) >= self.limit:
            return False
        hits.append(now)
        return True

    def check(self, request: Request, what: str) -> None:
        """Raise 429 when this request's client is over the limit for ``what``."""
        client = request.client.host if request.client else "unknown"
        if not self.allow(client):
            raise HTTPException(
                429, f"too many {what} from your address; wait {int(self.window_s)} s and retry",
                headers={"Retry-After": str(int(self.window_s))},
            )  # fmt: skip


def limiter(request: Request, name: str, limit: int, window_s: float) -> RateLimiter:
    """The app's limiter called ``name`` (made on first use, shared by all requests)."""
    state = request.app.state
    if not hasattr(state, "limiters"):
        state.limiters = {}
    return state.limiters.setdefault(name, RateLimiter(limit, window_s))
