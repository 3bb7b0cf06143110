"""``wirebrief doctor``: check that every stored article can be found, and repair it."""

from __future__ import annotations

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from wirebrief.cli.context import console, state


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
    """Check that every stored article is in the search index and has its related stories,
    and that every account's unread lists match its marks (exit 1 when something is off);
    with --repair, put it right. Safe while fetching."""
    from wirebrief.doctor import examine
    from wirebrief.doctor import repair as repair_findings

    db = state(ctx).database()
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
        return
    if not repair:
        console.print("Run `wirebrief doctor --repair` to fix them.")
        raise typer.Exit(1)
    columns = (TextColumn("Repairing"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("repair", total=findings.count)
        repair_findings(db, findings, lambda done: progress.advance(task, done))
    after = examine(db)
    if not after.healthy:
        console.print(f"{after.count} problems remain; run `wirebrief doctor` again.")
        raise typer.Exit(1)
    console.print(f"Repaired {findings.count}: every stored article is searchable again.")
