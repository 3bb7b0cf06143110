"""``wirebrief worker``, ``wirebrief scheduler`` and ``wirebrief jobs`` (PostgreSQL only)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict

import typer
from rich.table import Table

from wirebrief.cli.context import console, state


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("worker")(worker)
    app.command("scheduler")(scheduler)
    app.command("jobs")(jobs)


def worker(
    ctx: typer.Context,
    concurrency: int = typer.Option(
        8, "--concurrency", "-c", min=1, max=1000, help="Jobs at once (network waits overlap)."
    ),
    once: bool = typer.Option(False, "--once", help="Stop when the queue is empty."),
) -> None:
    """Run queued jobs (polls, then page fetch, extraction, dedupe, TLDR, asset links,
    store) on this machine; start as many as you like, anywhere that reaches PostgreSQL."""
    from wirebrief.jobs.runner import run_worker

    cli = state(ctx)
    cli.database()  # schema check: a worker on an old schema would fail every job
    run_worker(cli.settings, concurrency, wait=not once)


def scheduler(ctx: typer.Context) -> None:
    """Enqueue a poll for each due source (one per source at a time) and put the jobs of
    dead workers back in the queue. Run one (a second is harmless)."""
    from wirebrief.jobs.runner import run_scheduler

    cli = state(ctx)
    cli.database()
    run_scheduler(cli.settings)


def jobs(
    ctx: typer.Context,
    retry: bool = typer.Option(False, "--retry", help="Run every listed job again now."),
    job: list[int] = typer.Option([], "--job", "-j", help="Only this job id (repeatable)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines."),
) -> None:
    """List stuck jobs (their worker stopped sending heartbeats) and failed jobs."""
    from wirebrief.jobs.app import ensure_schema, make_app
    from wirebrief.jobs.operations import RetryResult, problem_jobs, retry_jobs

    settings = state(ctx).settings

    async def run() -> tuple[list, list]:
        app = make_app(settings)
        async with app.open_async():
            await ensure_schema(app)
            rows = await problem_jobs(app, settings)
            if job:
                rows = [row for row in rows if row.id in job]
            retried = await retry_jobs(app, [row.id for row in rows]) if retry else []
            return rows, retried

    rows, retried = asyncio.run(run())
    if as_json:
        for row in rows:
            print(json.dumps(asdict(row), default=str))
    else:
        table = Table("id", "status", "task", "queue", "attempts", "arguments")
        for row in rows:
            args = json.dumps(row.args, default=str)
            table.add_row(str(row.id), row.status, row.task, row.queue, str(row.attempts),
                          args[:80])  # fmt: skip
        console.print(table if rows else "No stuck or failed jobs.")
    queued = [outcome for outcome in retried if outcome.result == RetryResult.QUEUED]
    if queued:
        console.print(f"Queued {len(queued)} job(s) again.")
    for outcome in retried:
        if outcome.result != RetryResult.QUEUED:
            console.print(f"Job {outcome.job_id} not queued again: {outcome.note}.")
    if any(outcome.result == RetryResult.FAILED for outcome in retried):
        raise typer.Exit(1)
