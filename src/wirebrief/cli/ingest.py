"""``wirebrief init`` and ``wirebrief fetch``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wirebrief.cli.context import CliState, console, state
from wirebrief.storage import sources as source_store

if TYPE_CHECKING:
    from wirebrief.pipeline import SourceReport


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("init")(init)
    app.command("fetch")(fetch)


def init(ctx: typer.Context) -> None:
    """Create the database, or upgrade its schema. Safe to run again: it changes nothing."""
    cli = state(ctx)
    db = cli.database(require_schema=False)
    before = db.current_revision()
    after = db.upgrade()
    if before == after:
        console.print(f"Database {cli.settings.database_url} is up to date (schema {after}).")
    else:
        console.print(
            f"Database {cli.settings.database_url} ready: schema {before or 'empty'} → {after}."
        )


def fetch(
    ctx: typer.Context,
    source: list[int] = typer.Option(
        [], "--source", "-s", help="Poll only this source id (repeatable), even if not due yet."
    ),
) -> None:
    """Poll due sources once and ingest new items; print what happened to each source."""
    reports = run_fetch(state(ctx), source or None)
    print_summary(reports)


def run_fetch(cli: CliState, source_ids: list[int] | None) -> list[SourceReport]:
    """Ingest with a progress bar (shared by ``fetch`` and ``demo``)."""
    from wirebrief.fetch import Fetcher
    from wirebrief.pipeline import ingest_due

    db = cli.database()
    if source_ids is None:
        with db.session() as session:
            source_ids = [s.id for s in source_store.due_sources(session)]
    else:
        with db.session() as session:
            for source_id in source_ids:
                source_store.get_source(session, source_id)  # fail early on a wrong id
    if not source_ids:
        console.print("No source is due. Add one with `wirebrief sources add URL`.")
        return []
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Fetcher(cli.settings) as fetcher, Progress(*columns, console=console) as progress:
        task = progress.add_task("Fetching sources", total=len(source_ids))
        return ingest_due(
            db,
            fetcher,
            source_ids,
            on_report=lambda report: progress.update(
                task, advance=1, description=f"Fetched {report.name}"
            ),
        )


def print_summary(reports: list[SourceReport]) -> None:
    """One row per source, then every failure with its reason."""
    if not reports:
        return
    table = Table(
        "source", "status", "new", "updated", "unchanged", "failed", title="Fetch summary"
    )
    for r in reports:
        table.add_row(
            f"{r.source_id} {r.name}", r.status, str(r.new), str(r.updated), str(r.unchanged),
            str(len(r.failed)),
        )  # fmt: skip
    table.add_section()
    table.add_row(
        "total", "",
        *(str(sum(getattr(r, f) for r in reports)) for f in ("new", "updated", "unchanged")),
        str(sum(len(r.failed) for r in reports)),
    )  # fmt: skip
    console.print(table)
    for r in reports:
        if r.error:
            console.print(
                f"[red]source {r.source_id} ({r.name}) failed:[/red] {r.error}", highlight=False
            )
        if r.feed_problem:
            console.print(
                f"[yellow]source {r.source_id}: malformed feed, read as far as possible:[/yellow] "
                f"{r.feed_problem}",
                highlight=False,
            )
        for _url, reason in r.failed:
            console.print(f"[red]  page failed:[/red] {reason}", highlight=False)
