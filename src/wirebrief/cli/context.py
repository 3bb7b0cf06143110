"""What every command shares: settings, the console, opening the database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from wirebrief.errors import DatabaseUnavailable, NotInitialised
from wirebrief.redaction import redact_text, redact_url
from wirebrief.settings import DEFAULT_DATABASE_URL, Settings
from wirebrief.storage.db import Database

if TYPE_CHECKING:
    from wirebrief.markets.linker import Linker

log = logging.getLogger(__name__)

console = Console()
err_console = Console(stderr=True)
DEFAULT_SQLITE_PATH = Path(DEFAULT_DATABASE_URL.removeprefix("sqlite:///"))


@dataclass
class CliState:
    """Set by the top-level callback from ``--db`` and the environment."""

    settings: Settings

    def database(self, *, require_schema: bool = True, create: bool = False) -> Database:
        """Open the configured database, checking that ``wirebrief init`` has run; only with
        ``create`` may a SQLite file (and the default ``./var`` folder) be made."""
        url = self.settings.database_url
        shown = redact_url(url)
        path = self.settings.sqlite_path
        if path is not None:
            _check_sqlite_path(path, shown, create)
        db = Database(url)
        try:
            current = db.is_current() if require_schema else (db.current_revision() or True)
        except SQLAlchemyError as exc:
            db.dispose()
            raise DatabaseUnavailable(
                f"cannot open the database {shown}: {database_problem(exc)}; check --db or "
                "WIREBRIEF_DATABASE_URL"
            ) from exc
        if not current:
            db.dispose()
            raise NotInitialised(
                f"the database {shown} is not initialised or its schema is old; run "
                "`wirebrief init` first"
            )
        return db

    def database_if_ready(self) -> Database | None:
        """The database when it exists with the current schema, for commands that work
        without one (they then use the built-in assets only)."""
        path = self.settings.sqlite_path
        if path is not None and not path.exists():
            return None
        db = Database(self.settings.database_url)
        return db if db.is_current() else None

    def asset_linker(self) -> Linker:
        """A linker over the built-in assets and those imported into the database."""
        from wirebrief.markets.catalog import linker_for
        from wirebrief.storage import assets as asset_store

        db = self.database_if_ready()
        if db is None:
            return linker_for(())
        try:
            with db.session() as session:
                return linker_for(asset_store.stored_specs(session))
        except SQLAlchemyError as exc:
            log.warning("cannot read imported assets, linking built-in ones only: %s", exc)
            return linker_for(())
        finally:
            db.dispose()


def _check_sqlite_path(path: Path, shown: str, create: bool) -> None:
    """Refuse what would silently become a new, empty database (or a folder tree)."""
    if path.is_dir():
        raise DatabaseUnavailable(f"{path} is a folder, not a database file; give a file with --db")
    if path.exists():
        return
    if not create:
        raise NotInitialised(
            f"there is no database at {path}; run `wirebrief init` to create it, or give "
            "another with --db"
        )
    folder = path.expanduser().parent
    if not folder.is_dir():
        if path == DEFAULT_SQLITE_PATH:  # ./var, the documented default, is ours to make
            folder.mkdir(parents=True, exist_ok=True)
        else:
            raise DatabaseUnavailable(
                f"the folder {folder} does not exist; create it first (mkdir -p {folder}) or "
                f"choose another place for the database than {shown}"
            )


def database_problem(exc: BaseException) -> str:
    """The driver's own first line of a database error, without credentials or SQL."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(exc).__name__
    return redact_text(text)[:300]


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of the running command."""
    return ctx.find_root().obj
