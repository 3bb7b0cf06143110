"""Engine, sessions and schema upgrades."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from wirebrief.errors import ConfigError
from wirebrief.storage import dialect

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@dataclass(frozen=True)
class PoolLimits:
    """How long a caller may wait for the database, and on how many connections: a web
    process sizes its pool to its threads and waits briefly, so that overload is answered
    with 503 rather than queued for minutes."""

    size: int
    overflow: int = 0
    timeout_s: float = 30.0  # for a pooled connection to free up
    busy_timeout_s: float = 10.0  # SQLite: for another process's write to end

    def engine_options(self, url: str) -> dict[str, object]:
        """``create_engine`` options; none for in-memory SQLite (a single shared connection)."""
        if ":memory:" in url or url in ("sqlite://", "sqlite:///"):
            return {}
        return {
            "pool_size": self.size,
            "max_overflow": self.overflow,
            "pool_timeout": self.timeout_s,
        }


class Database:
    """An engine plus a session factory for one database URL."""

    def __init__(self, url: str, pool: PoolLimits | None = None) -> None:
        self.url = url = dialect.normalize_url(url)
        options = pool.engine_options(url) if pool else {}
        try:
            self.engine: Engine = create_engine(url, future=True, **options)
        except (ArgumentError, ImportError) as exc:
            raise ConfigError(
                f"cannot use database URL {url!r}: {exc}. "
                "Use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
            ) from exc
        dialect.configure(self.engine, **({"busy_timeout_s": pool.busy_timeout_s} if pool else {}))
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self) -> str:
        """Apply pending migrations; return the schema revision now in place."""
        from alembic import command  # alembic loads only when the schema is checked

        with self.engine.begin() as connection:
            config = _alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            dialect.setup(connection)
        return self.current_revision() or "base"

    def current_revision(self) -> str | None:
        """The schema revision of the database (``None`` when never initialised)."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def is_current(self) -> bool:
        """True when the schema is at the newest migration."""
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(_alembic_config(self.url)).get_current_head()
        return self.current_revision() == head

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()


def _alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
