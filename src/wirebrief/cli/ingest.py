"""``wirebrief init`` and ``wirebrief fetch``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from wirebrief.cli.context import CliState, console, state
from wirebrief.cli.durations import format_duration
from wirebrief.storage import sources as source_store
from wirebrief.storage.articles import StoreOutcome
from wirebrief.storage.types import MAX_ID
from wirebrief.times import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from wirebrief.pipeline import SourceReport


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("init")(init)
    app.command("fetch")(fetch)
    app.command("ingest-warc")(ingest_warc)


def init(
    ctx: typer.Context,
    admin_password: str | None = typer.Option(
        None,
        "--admin-password",
        envvar="WIREBRIEF_ADMIN_PASSWORD",
        help="Create the admin account `admin` with this password, or change its password "
        "(asked for on a terminal when there is no account yet).",
    ),
) -> None:
    """Create the database, or upgrade its schema. Safe to run again: it changes nothing."""
    cli = state(ctx)
    db = cli.database(require_schema=False, create=True)
    before = db.current_revision()
    after = db.upgrade()
    if before == after:
        console.print(f"Database {cli.settings.database_url} is up to date (schema {after}).")
    else:
        console.print(
            f"Database {cli.settings.database_url} ready: schema {before or 'empty'} → {after}."
        )
    from wirebrief.cli.admin import ask_at_init  # argon2 loads only here

    ask_at_init(cli, admin_password)


def fetch(
    ctx: typer.Context,
    source: list[int] = typer.Option(
        [],
        "--source",
        "-s",
        min=1,
        max=MAX_ID,
        help="Poll only this source id (repeatable), even if not due yet.",
    ),
) -> None:
    """Poll due sources once and ingest new items; print what happened to each source."""
    reports = run_fetch(state(ctx), source or None)
    print_summary(reports)


def run_fetch(cli: CliState, source_ids: list[int] | None) -> list[SourceReport]:
    """Ingest with a progress bar (shared by ``fetch`` and ``demo``)."""
    from wirebrief.pipeline import ingest_due, work_source_ids

    db = cli.database()
    chosen = source_ids is not None
    if source_ids is None:  # due for a poll, or with entries waiting whose time has come
        source_ids = work_source_ids(db)
    with db.session() as session:
        if not source_ids:
            console.print(nothing_due(session))
            return []
        for source_id in source_ids:
            source_store.get_source(session, source_id)  # fail early on a wrong id
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Fetching sources", total=len(source_ids))
        return ingest_due(
            db,
            cli.settings,
            source_ids,
            on_report=lambda report: progress.update(
                task, advance=1, description=f"Fetched {report.name}"
            ),
            force_poll=chosen,
        )


def nothing_due(session: Session) -> str:
    """Why nothing is polled now, and what to do: add a source, resume one, or poll now."""
    upcoming = source_store.next_due(session)
    if upcoming is None:
        kinds = {source.kind for source in source_store.list_sources(session)}
        if kinds - {"warc"}:
            return ("Every source is paused or blocked. Resume one with "
                    "`wirebrief sources set ID --enable`.")  # fmt: skip
        if kinds:  # read once by ingest-warc
            return ("No source is due: archives are read with `wirebrief ingest-warc FILE`, "
                    "never polled. Add a feed with `wirebrief sources add URL`.")  # fmt: skip
        return "There are no sources yet. Add one with `wirebrief sources add URL`."
    when = upcoming.next_poll_at
    wait = format_duration((when - utcnow()).total_seconds()) if when else "now"
    return (
        f"No source is due. The next is {upcoming.name} (source {upcoming.id}), due in {wait}; "
        f"poll it now with `wirebrief fetch --source {upcoming.id}`."
    )


def ingest_warc(
    ctx: typer.Context,
    file: Path = typer.Argument(
        ..., exists=True, dir_okay=False, help="A .warc or .warc.gz file, e.g. from CC-NEWS."
    ),
    name: str | None = typer.Option(None, "--name", "-n", help="Source name; default: file name."),
) -> None:
    """Backfill from a web archive: every HTML page (HTTP 200) in the WARC file goes through
    the same extraction and storage as fetched pages. Nothing is fetched from the network.
    Running it again on the same file changes nothing.
    """
    from wirebrief.errors import WarcError
    from wirebrief.pipeline import Ingestor
    from wirebrief.warc import WarcStats, iter_warc_pages

    cli = state(ctx)
    db = cli.database()
    with db.session() as session:
        source, _ = source_store.ensure_source(
            session, file.resolve().as_uri(), name or file.name, kind="warc"
        )
        source.enabled = False  # an archive is read once, never polled
        source_id = source.id
    stats = WarcStats()
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    damage: list[WarcError] = []
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"Reading {file.name}", total=file.stat().st_size)

        def pages() -> Iterator[tuple[str, bytes, str, datetime | None]]:
            try:
                for page in iter_warc_pages(
                    file, cli.settings.max_body_bytes, stats=stats,
                    on_progress=lambda done: progress.update(task, completed=done),
                ):  # fmt: skip
                    yield page.url, page.body, page.content_type, page.fetched_at
            except WarcError as exc:  # keep what was read before the damage
                damage.append(exc)

        async def run() -> SourceReport:
            async with Ingestor(db, cli.settings) as ingestor:
                return await ingestor.ingest_pages(pages(), source_id)

        report = asyncio.run(run())
    console.print(
        f"{file.name}: {stats.records} records, {stats.pages} HTML pages "
        f"({stats.skipped} other records skipped)"
    )
    report.source_id, report.name = source_id, name or file.name
    if damage:
        from wirebrief.pipeline import PollStatus

        report.status = PollStatus.PARTIAL
    print_summary([report])
    if damage:
        raise damage[0]


def print_summary(reports: list[SourceReport]) -> None:
    """One row per source, then every failure with its reason."""
    if not reports:
        return
    counts = (StoreOutcome.NEW, StoreOutcome.COPIES, StoreOutcome.UPDATED, StoreOutcome.UNCHANGED)
    table = Table("source", "status", *counts, "deferred", "failed", title="Fetch summary")
    for r in reports:
        table.add_row(
            escape(f"{r.source_id} {r.name}"), r.status, *(str(r.outcomes[o]) for o in counts),
            str(len(r.deferred)), str(len(r.failed)),
        )  # fmt: skip
    table.add_section()
    table.add_row(
        "total", "", *(str(sum(r.outcomes[o] for r in reports)) for o in counts),
        str(sum(len(r.deferred) for r in reports)), str(sum(len(r.failed) for r in reports)),
    )  # fmt: skip
    console.print(table)
    for r in reports:
        if r.error:
            console.print(
                f"[red]source {r.source_id} failed:[/red] {escape(r.error)}", highlight=False
            )
        if r.feed_problem:
            console.print(
                f"[yellow]source {r.source_id}: malformed feed, read as far as possible:[/yellow] "
                f"{escape(r.feed_problem)}",
                highlight=False,
            )
        for _url, reason in r.failed:
            console.print(f"[red]  page failed:[/red] {escape(reason)}", highlight=False)
        for _url, reason in r.deferred:
            console.print(
                f"[yellow]  page deferred, kept for the next run:[/yellow] {escape(reason)}",
                highlight=False,
            )
