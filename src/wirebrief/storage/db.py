"""Engine, sessions and schema upgrades."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


class Database:
    """An engine plus a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url = dialect.normalize_url(url)
        _ensure_sqlite_directory(url)
        try:
            self.engine: Engine = create_engine(url, future=True)
        except (ArgumentError, ImportError) as exc:
            raise ConfigError(
                f"cannot use database URL {url!r}: {exc}. "
                "Use sqlite:///path/to/file.db or postgresql+psycopg://user@host/db"
            ) from exc
        dialect.configure(self.engine)
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


def _ensure_sqlite_directory(url: str) -> None:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        Path(url[len(prefix) :]).expanduser().parent.mkdir(parents=True, exist_ok=True)
