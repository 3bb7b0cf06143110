"""Transaction-scoped advisory locks (PostgreSQL), for work two workers must not do at once.

A lock is a namespace (what is locked: band buckets, events) and a key within it. Keys are
folded to 32 bits, so two different keys may share a lock: then one waits a little longer,
nothing worse. SQLite needs none of this: it has one writer at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

_LOCK = text(
    "SELECT count(pg_advisory_xact_lock(:namespace, key)) "
    "FROM unnest(CAST(:keys AS integer[])) AS key"
)


def hold(session: Session, namespace: int, keys: Iterable[int]) -> bool:
    """Wait for and hold these locks until the transaction ends; False (and nothing held)
    on SQLite or without keys. All are taken in one statement, in ascending order, so two
    transactions wanting overlapping sets cannot deadlock on them."""
    if session.get_bind().dialect.name != "postgresql":
        return False  # before the keys: on SQLite they are never computed
    folded = sorted({(key & 0xFFFFFFFF) - (1 << 31) for key in keys})  # int4
    if not folded:
        return False
    session.execute(_LOCK, {"namespace": namespace, "keys": folded})
    return True


def key_of(name: str) -> int:
    """A lock key for a name (an entity)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big")
