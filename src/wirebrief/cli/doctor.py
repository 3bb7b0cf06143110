"""``wirebrief doctor``: check that ingest is moving and that every stored article can be
found, and repair what can be."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from wirebrief.cli.context import CliState, console, state
from wirebrief.cli.durations import format_duration
from wirebrief.times import utcnow

if TYPE_CHECKING:
    from wirebrief.doctor import IngestFindings
    from wirebrief.storage.db import Database

KEEP_POLLING = (
    "Keep `wirebrief run` running (on PostgreSQL: `wirebrief scheduler` and `wirebrief "
    "worker`), or poll now with `wirebrief fetch`."
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("doctor")(doctor)


def doctor(
    ctx: typer.Context,
    repair: bool = typer.Option(
        False,
        "--repair",
        help="Index what search misses, compute missing related stories, refile unread lists.",
    ),
) -> None:
    """Check that ingest is moving (entries waiting, sources late for their poll, the job
    queue on PostgreSQL), that every stored article is in the search index and has its
    related stories, and that every account's unread lists match its marks; exit 1 when
    something is off. With --repair, put the index, related stories and unread lists right.
    Safe while fetching."""
    from wirebrief.doctor import examine_ingest

    cli = state(ctx)
    db = cli.database()
    ingest = examine_ingest(db)
    _print_ingest(ingest)
    _print_queue(cli, db)
    index_healthy = _check_index(db, repair)
    if ingest.stalled or not index_healthy:
        raise typer.Exit(1)


def _print_ingest(findings: IngestFindings) -> None:
    from wirebrief.doctor import STALLED_AFTER_S

    waiting = findings.backlog
    if waiting.due + waiting.deferred == 0:
        console.print("Inbox: empty; every listed entry is stored.")
    else:
        since = f"; the longest due has waited {format_duration(waiting.longest_wait_s)}"
        console.print(
            f"Inbox: {waiting.due} entries due now, {waiting.deferred} deferred after a passing "
            f"failure (a 429, a timeout, robots.txt unreachable){since if waiting.due else ''}.",
            highlight=False,
        )
    now = utcnow()
    for entry in findings.retried:
        after = (entry.not_before - now).total_seconds()
        when = f"next try in {format_duration(after)}" if after > 0 else "due now"
        console.print(
            f"  {escape(entry.url)} (source {entry.source_id}): {entry.attempts} failed tries, "
            f"{when}: {escape(entry.last_error)}",
            highlight=False,
            soft_wrap=True,
        )
    limit = format_duration(STALLED_AFTER_S)
    if findings.late:
        ids = ", ".join(str(source_id) for source_id, _ in findings.late[:10])
        latest = format_duration(findings.late[0][1])
        console.print(
            f"{len(findings.late)} sources are more than {limit} past their poll time (source "
            f"ids {ids}{', …' if len(findings.late) > 10 else ''}; the latest by {latest}): "
            "nothing is polling them.",
            highlight=False,
        )
    else:
        console.print(f"Polling: no source is more than {limit} past its poll time.")
    if waiting.longest_wait_s > STALLED_AFTER_S:
        console.print(
            f"Entries have been due for {format_duration(waiting.longest_wait_s)}: nothing is "
            "fetching their pages.",
            highlight=False,
        )
    if findings.stalled:
        console.print(KEEP_POLLING)


def _print_queue(cli: CliState, db: Database) -> None:
    """The job queue's figures, where there is one (PostgreSQL with workers)."""
    from wirebrief.jobs.operations import queue_metrics

    with db.session() as session:
        queue = queue_metrics(session, cli.settings)
    if queue is None:
        return
    by_status: dict[str, int] = {}
    for (_, status), count in queue.depth.items():
        by_status[status] = by_status.get(status, 0) + count
    console.print(
        f"Jobs: {by_status.get('todo', 0)} waiting, {by_status.get('doing', 0)} running, "
        f"{queue.failed_last_hour} failed in the last hour, {queue.stalled_workers} workers "
        "silent; `wirebrief jobs` lists stuck and failed jobs.",
        highlight=False,
    )


def _check_index(db: Database, repair: bool) -> bool:
    """Report (and with ``repair`` fix) articles missing from search or related stories and
    accounts' unread lists that disagree with their marks; whether all is well in the end."""
    from wirebrief.doctor import examine
    from wirebrief.doctor import repair as repair_findings

    findings = examine(db)
    lines = (
        (findings.unindexed, "stored articles are missing from the search index", "article"),
        (findings.stray, "search index entries belong to hidden or deleted articles", "article"),
        (findings.unrelated, "articles have no related stories computed", "article"),
        (findings.misfiled, "accounts have unread lists that disagree with their marks",
         "account"),
    )  # fmt: skip
    for ids, what, kind in lines:
        if ids:
            shown = ", ".join(map(str, ids[:10])) + (", …" if len(ids) > 10 else "")
            console.print(f"{len(ids)} {what} ({kind} ids {shown}).", highlight=False)
    if findings.healthy:
        console.print(
            "All stored articles are searchable and have their related stories; every"
            " account's unread lists match its marks."
        )
        return True
    if not repair:
        console.print("Run `wirebrief doctor --repair` to fix them.")
        return False
    columns = (TextColumn("Repairing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("repair", total=findings.count)
        repair_findings(db, findings, lambda done: progress.advance(task, done))
    after = examine(db)
    if not after.healthy:
        console.print(f"{after.count} problems remain; run `wirebrief doctor` again.")
        return False
    console.print(f"Repaired {findings.count}: every stored article is searchable again.")
    return True
