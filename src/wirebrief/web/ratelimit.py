"""Rate limits on what visitors may do, counted in the database so that every web process
shares them, by client address (after trusted proxies, ``clientaddr.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from wirebrief.storage import ratelimits
from wirebrief.times import utcnow
from wirebrief.web.clientaddr import client_key


def client_of(request: Request) -> str:
    """The request's client address as limits count it."""
    return client_key(request.client.host if request.client else None)


def seconds_left(started: datetime, window_s: float) -> int:
    """Whole seconds until a window that began at ``started`` is over (at least 1)."""
    left = (started + timedelta(seconds=window_s) - utcnow()).total_seconds()
    return max(1, math.ceil(left))


def too_many(what: str, wait_s: int) -> HTTPException:
    """429 with Retry-After."""
    return HTTPException(
        429, f"too many {what} from your address; wait {wait_s} s and retry",
        headers={"Retry-After": str(wait_s)},
    )  # fmt: skip


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests per ``window_s`` seconds from one client address."""

    scope: str
    limit: int
    window_s: float
    what: str

    def check(self, request: Request, session: Session) -> None:
        """Count this request; raise 429 when its client is over the limit."""
        hits, started = ratelimits.add_hit(session, self.scope, client_of(request), self.window_s)
        if hits > self.limit:
            raise too_many(self.what, seconds_left(started, self.window_s))
