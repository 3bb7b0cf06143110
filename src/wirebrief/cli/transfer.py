"""``wirebrief migrate-data``: copy an installation to another database."""

from __future__ import annotations

import typer
from rich.table import Table

from wirebrief.cli.context import console


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("migrate-data")(migrate_data)


def migrate_data(
    source: str = typer.Option(..., "--from", help="The database to copy, e.g. sqlite:///…"),
    target: str = typer.Option(
        ..., "--to", help="An empty database to copy into, e.g. postgresql://user@host/db"
    ),
) -> None:
    """Copy every table (and rebuild the search index) into an empty database, then check
    each table's row count and checksum on both sides."""
    from wirebrief.storage.db import Database
    from wirebrief.transfer import TableCopy, copy_database

    table = Table("table", "rows", "copied", "checksum (sha256)", "")

    def show(result: TableCopy) -> None:
        table.add_row(result.name, str(result.source_rows), str(result.target_rows),
                      result.source_checksum[:16], "ok" if result.ok else "DIFFERS")  # fmt: skip

    from_db, to_db = Database(source), Database(target)
    try:
        results = copy_database(from_db, to_db, on_table=show)
    finally:
        console.print(table)
        from_db.dispose()
        to_db.dispose()
    rows = sum(result.target_rows for result in results)
    console.print(f"Copied {rows} rows in {len(results)} tables; counts and checksums match.")
