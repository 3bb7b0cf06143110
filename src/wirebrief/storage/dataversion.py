"""The data version: one counter that every write to what public pages show moves (triggers
of migration 0016, on every engine), read cheaply by each web process to key its cache."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, create_engine, select, update
from sqlalchemy.orm import Session

from wirebrief.storage import dialect
from wirebrief.storage.models import DataVersion
from wirebrief.times import as_utc, utcnow

_READ = select(DataVersion.version, DataVersion.changed_at).where(DataVersion.id == 1)


def bump(session: Session) -> None:
    """Move the version by hand, for a change no trigger sees (the search index rebuilt)."""
    session.execute(
        update(DataVersion)
        .where(DataVersion.id == 1)
        .values(version=DataVersion.version + 1, changed_at=utcnow())
    )


@dataclass(frozen=True)
class Version:
    """The version number and when it last moved (shared by every process)."""

    number: int
    changed_at: datetime


class VersionReader:
    """Reads the version on a connection of its own, in autocommit (each read sees every
    commit before it). On SQLite the row is read again only when ``PRAGMA data_version``
    says another connection committed since the last read, which costs no I/O."""

    def __init__(self, url: str) -> None:
        self._engine = create_engine(url, pool_size=1, max_overflow=0, pool_pre_ping=False)
        dialect.configure(self._engine)
        self._sqlite = self._engine.dialect.name == "sqlite"
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._marker: object = None
        self._last: Version | None = None

    def current(self) -> Version:
        """The version now; raises SQLAlchemy's errors when the database does not answer
        (the next call connects again)."""
        with self._lock:
            try:
                return self._read()
            except Exception:
                self._drop()
                raise

    def _read(self) -> Version:
        if self._connection is None:
            self._connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            )
            self._marker = self._last = None
        connection = self._connection
        if self._sqlite:
            marker = connection.exec_driver_sql("PRAGMA data_version").scalar()
            if marker == self._marker and self._last is not None:
                return self._last
            self._marker = marker
        number, changed_at = connection.execute(_READ).one()
        self._last = Version(number, as_utc(changed_at))
        return self._last

    def _drop(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def close(self) -> None:
        """Close the connection and the engine."""
        with self._lock:
            self._drop()
            self._engine.dispose()
