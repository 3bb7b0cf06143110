"""What every command shares: settings, the console, opening the database."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from wirebrief.errors import NotInitialised
from wirebrief.settings import Settings
from wirebrief.storage.db import Database

if TYPE_CHECKING:
    from wirebrief.markets.linker import Linker

log = logging.getLogger(__name__)

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    """Set by the top-level callback from ``--db`` and the environment."""

    settings: Settings

    def database(self, *, require_schema: bool = True) -> Database:
        """Open the configured database, checking that ``wirebrief init`` has run."""
        db = Database(self.settings.database_url)
        if require_schema and not db.is_current():
            raise NotInitialised(
                f"the database {self.settings.database_url} is not initialised or its schema is "
                "old; run `wirebrief init` first"
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


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of the running command."""
    return ctx.find_root().obj
