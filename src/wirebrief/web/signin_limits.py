"""Sign-in throttling: wrong passwords are counted per (client address, account), in the
database, so every web process shares the count.

Only failures count, and only for the address and account they came from: a correct password
from an address that has not failed is never refused, and people sharing an address (an
office, a carrier's NAT) who get another account's password wrong cannot lock anyone else
out. Independent of how accounts are stored: call :meth:`SigninLimiter.refusal` before
checking a password, then :meth:`~SigninLimiter.failed` or :meth:`~SigninLimiter.succeeded`.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from wirebrief.storage import ratelimits
from wirebrief.web.clientaddr import client_key
from wirebrief.web.ratelimit import seconds_left

SCOPE = "signin"


@dataclass(frozen=True)
class SigninLimiter:
    """``failures`` wrong passwords per (address, account) per ``window_s``, then a wait
    until the window is over."""

    failures: int = 5
    window_s: float = 900.0

    def refusal(self, session: Session, address: str | None, account: str) -> int | None:
        """Seconds this address must wait before trying ``account`` again, or ``None``."""
        hits, started = ratelimits.hits(session, SCOPE, _key(address, account), self.window_s)
        if hits < self.failures or started is None:
            return None
        return seconds_left(started, self.window_s)

    def failed(self, session: Session, address: str | None, account: str) -> None:
        """Count a wrong password for ``account`` from ``address``."""
        ratelimits.add_hit(session, SCOPE, _key(address, account), self.window_s)

    def succeeded(self, session: Session, address: str | None, account: str) -> None:
        """Forget the failures of ``account`` from ``address``."""
        ratelimits.clear(session, SCOPE, _key(address, account))


def _key(address: str | None, account: str) -> str:
    return f"{client_key(address)} {account}"[:400]
