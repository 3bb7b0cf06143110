"""Everything that is specific to one database engine lives here."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Connection, Table, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.functions import FunctionElement

from wirebrief.storage import searchindex

# Drivers we ship with: a bare postgresql:// (or Heroku-style postgres://) means psycopg 3.
_DEFAULT_DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg"}


def normalize_url(url: str) -> str:
    """The SQLAlchemy URL for a user's database URL: ``postgresql://`` gets psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # Database reports it with a message that says what to do
    driver = _DEFAULT_DRIVERS.get(parsed.drivername)
    if driver is None:
        return url
    return parsed.set(drivername=driver).render_as_string(hide_password=False)


def libpq_conninfo(url: str) -> str:
    """A PostgreSQL URL as libpq takes it (no SQLAlchemy driver suffix), for procrastinate."""
    parsed = make_url(normalize_url(url))
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def is_postgresql(url: str) -> bool:
    """Whether a database URL names PostgreSQL."""
    return normalize_url(url).startswith("postgresql")


def insert_or_update(
    dialect: str, table: Table, keys: Sequence[str], columns: Sequence[str]
) -> Insert:
    """``INSERT … ON CONFLICT (keys) DO UPDATE SET columns``: a row another transaction
    wrote meanwhile is updated, never a unique violation (same SQL on both engines)."""
    return _insert_or_update(dialect, table, tuple(keys), tuple(columns))


class _Likely(FunctionElement[Any]):
    """SQLite's ``likely(condition)``; the bare condition on other engines. Untyped: a
    Boolean function would be compared with 1, which hides the hint."""

    name = "likely"
    inherit_cache = True


@compiles(_Likely)
def _bare_condition(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_Likely, "sqlite")
def _likely_on_sqlite(element: _Likely, compiler: SQLCompiler, **kw: Any) -> str:
    return f"likely({compiler.process(element.clauses, **kw)})"


def likely(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """``condition``, marked as true for most rows where the engine takes the hint (SQLite's
    ``likely``), so its planner does not read a column's index for it: a list of origins
    newest first then walks the index of origins by time and stops after a page."""
    return cast("ColumnElement[bool]", _Likely(condition))


def insert_or_ignore(dialect: str, table: Table) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING``: a row another transaction wrote meanwhile
    stays, never a unique violation."""
    return (
        (postgresql if dialect == "postgresql" else sqlite).insert(table).on_conflict_do_nothing()
    )


@lru_cache(maxsize=64)
def _insert_or_update(
    dialect: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...]
) -> Insert:
    # Built once per table: building the statement costs more than running it for a row.
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(table)
    return insert.on_conflict_do_update(
        index_elements=list(keys), set_={name: insert.excluded[name] for name in columns}
    )


def configure(engine: Engine, busy_timeout_s: float = 10.0) -> None:
    """Per-connection settings for the engine's dialect; ``busy_timeout_s`` is how long a
    SQLite statement waits for another connection's write to end before it fails."""
    if engine.dialect.name == "sqlite":
        busy_ms = int(busy_timeout_s * 1000)
        event.listen(engine, "connect", lambda conn, _record: _sqlite_pragmas(conn, busy_ms))


def setup(connection: Connection) -> None:
    """Engine-specific objects outside the Alembic chain, created idempotently after every
    upgrade: PostgreSQL's full-text search table (SQLite's FTS5 index comes with 0007)."""
    if connection.dialect.name == "postgresql":
        searchindex.create_postgres_index(connection)


def _sqlite_pragmas(dbapi_connection: Any, busy_ms: int) -> None:
    # WAL lets the web server read while a fetch writes; busy_timeout waits
    # for the writer instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms:d}")
    cursor.close()
