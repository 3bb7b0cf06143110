"""What every command shares: settings, the console, opening the database."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from rich.console import Console

from wirebrief.errors import NotInitialised
from wirebrief.settings import Settings
from wirebrief.storage.db import Database

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


def state(ctx: typer.Context) -> CliState:
    """The :class:`CliState` of the running command."""
    return ctx.find_root().obj
