"""``wirebrief sources …``: manage what Wirebrief follows."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from wirebrief.cli.context import console, err_console, state
from wirebrief.cli.durations import format_duration, parse_duration
from wirebrief.errors import FeedError, FetchError
from wirebrief.feeds.opml import read_opml
from wirebrief.redaction import redact_text, redact_url
from wirebrief.settings import Settings
from wirebrief.storage import fetchlog
from wirebrief.storage import sources as source_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage.models import FetchAttempt, Source
from wirebrief.storage.sources import SourceStats
from wirebrief.storage.types import MAX_ID
from wirebrief.times import utcnow

app = typer.Typer(
    help="Add, list, change, remove, import and export sources (feeds, sitemaps, pages).",
    no_args_is_help=True,
)
KINDS = ("auto", "feed", "sitemap", "page")
CATEGORY_OPTION = typer.Option(
    None, "--category", "-c", help="The desk's folder for it (accounts' subscriptions start there)."
)
USER_OPTION = typer.Option(
    None, "--user", "-u", help="One account's subscriptions and folders, not the desk's."
)


@app.command("add")
def add(
    ctx: typer.Context,
    url: str = typer.Argument(
        ..., help="A feed, a news sitemap, a site's home page or an article."
    ),
    name: str | None = typer.Option(None, "--name", "-n", help="Display name; default: its title."),
    kind: str = typer.Option(
        "auto",
        "--kind",
        help="auto (look at the URL), feed, sitemap or page.",
        case_sensitive=False,
    ),
    pages: bool = typer.Option(
        True, "--pages/--no-pages", help="Fetch each item's page, or use the feed's own content."
    ),
    interval: str | None = typer.Option(
        None,
        "--interval",
        help="Poll this often (e.g. 30m); default: adapt to its publishing rate.",
    ),
    category: str | None = CATEGORY_OPTION,
) -> None:
    """Follow a source. With --kind auto the URL is fetched once: a site's home page is
    searched for its feed (``<link rel="alternate">``), and a page without one is followed
    as a single article. Every account follows it, in the folder --category names.
    """
    if kind not in KINDS:
        raise typer.BadParameter(f"--kind must be one of {', '.join(KINDS)}")
    cli = state(ctx)
    db = cli.database()
    every = parse_duration(interval) if interval else None
    if kind == "auto":
        kind, url, title = _probe(cli.settings, url, kind)
    elif name is None:
        try:
            title = _probe(cli.settings, url, kind)[2]
        except (FetchError, FeedError) as exc:
            title = urlsplit(url).hostname or url
            err_console.print(
                f"[yellow]warning:[/yellow] could not read {url} now ({exc}); "
                f"adding it as {title!r}; it will be retried at the next fetch"
            )
    else:
        title = name
    with db.session() as session:
        source = source_store.add_source(session, url, name or title, kind=kind, fetch_pages=pages)
        source.poll_interval_s = every
        source.category = category
        subs.subscribe_everyone(session, source)
        console.print(escape(f"Added source {source.id}: {source.name} <{source.url}> ({kind})"))


@app.command("set")
def set_(
    ctx: typer.Context,
    source_id: int = typer.Argument(..., min=1, max=MAX_ID, help="Id from `sources list`."),
    name: str | None = typer.Option(None, "--name", "-n", help="New display name."),
    interval: str | None = typer.Option(
        None, "--interval", help="Poll this often (e.g. 30m, 6h), or 'auto' to adapt again."
    ),
    enabled: bool | None = typer.Option(
        None, "--enable/--disable", help="Resume or pause polling."
    ),
    pages: bool | None = typer.Option(None, "--pages/--no-pages", help="Fetch item pages or not."),
    category: str | None = typer.Option(
        None, "--category", "-c", help="The desk's folder for it ('' for none)."
    ),
) -> None:
    """Change a source: name, polling interval, paused or not, pages or feed content, folder."""
    db = state(ctx).database()
    with db.session() as session:
        source = source_store.get_source(session, source_id)
        if name:
            source.name = name
        if interval:
            source.poll_interval_s = None if interval == "auto" else parse_duration(interval)
            source.next_poll_at = None  # apply now
        if enabled is not None:
            source.enabled = enabled
        if pages is not None:
            source.fetch_pages = pages
        if category is not None:
            source.category = category.strip() or None
        console.print(escape(f"Source {source.id}: {_describe(source)}"))


@app.command("list")
def list_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """Show every source with its health: last success, last error and why, next poll,
    items per day, and how many articles of its own and copies of others' it carried.
    """
    db = state(ctx).database()
    with db.session() as session:
        stats = source_store.source_stats(session)
        rows = [
            source_row(source, stats.get(source.id, SourceStats()))
            for source in source_store.list_sources(session)
        ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(
        "id", "source", "health", "last success", "next poll", "items/day", "articles", "copies"
    )
    for row in rows:
        label = (
            f"{row['name']}{' [dim](demo)[/dim]' if row['demo'] else ''}\n[dim]{row['url']}[/dim]"
        )
        health = row["health"]
        if row["last_error"]:
            health += f"\n[red]{row['last_error_reason']}[/red]: {escape(row['last_error'])}"
        rate = "-" if row["items_per_day"] is None else f"{row['items_per_day']:.1f}"
        last_success, next_poll = _ago(row["last_success_at"]), _until(row["next_poll_at"])
        table.add_row(
            str(row["id"]), label, health, last_success, next_poll, rate, str(row["articles"]),
            str(row["copies"]),
        )  # fmt: skip
    console.print(table)


@app.command("attempts")
def attempts(
    ctx: typer.Context,
    source_id: int = typer.Argument(..., min=1, max=MAX_ID, help="Id from `sources list`."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000, help="How many, newest first."),
    failed: bool = typer.Option(False, "--failed", help="Only the failed ones."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a source's last fetches (its feed and its pages): when, how long, the HTTP status,
    and for a failure the reason and message. Kept for 30 days.
    """
    db = state(ctx).database()
    with db.session() as session:
        source_store.get_source(session, source_id)  # a wrong id fails with a clear message
        rows = [
            attempt_row(a)
            for a in fetchlog.recent_attempts(session, source_id, limit, failed_only=failed)
        ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        console.print(f"No fetch of source {source_id} is logged (yet).")
        return
    table = Table("when", "what", "outcome", "HTTP", "ms", "url / why")
    for row in rows:
        outcome = row["outcome"] if row["outcome"] != "failed" else f"[red]{row['reason']}[/red]"
        detail = f"{escape(row['url'])}" + (
            f"\n[red]{escape(row['error'])}[/red]" if row["error"] else ""
        )
        table.add_row(
            _ago(row["started_at"]), row["kind"], outcome, str(row["http_status"] or "-"),
            str(row["duration_ms"] if row["duration_ms"] is not None else "-"), detail,
        )  # fmt: skip
    console.print(table)


def attempt_row(attempt: FetchAttempt) -> dict[str, Any]:
    """A fetch attempt as JSON-ready data (``sources attempts --json``)."""
    return {
        "started_at": _iso(attempt.started_at),
        "kind": attempt.kind,
        "url": attempt.url,
        "outcome": attempt.outcome,
        "http_status": attempt.http_status,
        "duration_ms": attempt.duration_ms,
        "bytes": attempt.bytes_received,
        "reason": attempt.error_reason,
        "error": attempt.error,
    }


@app.command("remove")
def remove(
    ctx: typer.Context,
    source_id: int = typer.Argument(..., min=1, max=MAX_ID, help="Id from `sources list`."),
) -> None:
    """Stop following a source. Its articles stay."""
    db = state(ctx).database()
    with db.session() as session:
        source = source_store.remove_source(session, source_id)
        console.print(escape(f"Removed source {source_id}: {source.name}"))


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="OPML file."),
    user: str | None = USER_OPTION,
) -> None:
    """Follow every feed listed in an OPML file, keeping its categories as folders. The desk
    starts fetching feeds it did not know; with --user they go into that account's
    subscriptions and folders, else every account follows the new ones."""
    from wirebrief.accounts.opml import import_subscriptions

    db = state(ctx).database()
    with db.session() as session:
        report = import_subscriptions(session, read_opml(file.read_bytes()), user)
    where = f"{user}'s subscriptions" if user else "the desk"
    console.print(
        escape(f"Imported {file} into {where}: {report.added} new sources, {report.known} "
               f"already followed, {report.folders} folders."),
        highlight=False,
    )  # fmt: skip


@app.command("export")
def export(
    ctx: typer.Context,
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    user: str | None = USER_OPTION,
    redact: bool = typer.Option(
        False, "--redact", help="Hide credentials in the URLs (user:password@, api_key=…)."
    ),
) -> None:
    """Write every feed as OPML 2.0, grouped by folder (the desk's, or one account's). The
    URLs are written whole, credentials included, so that the file restores or moves your
    subscriptions; use --redact for a list to share."""
    from wirebrief.accounts.opml import export_subscriptions

    db = state(ctx).database()
    with db.session() as session:
        document, count = export_subscriptions(session, user, redact=redact)
    if output:
        output.write_bytes(document)
        err_console.print(f"Wrote {count} sources to {output}")
    else:
        typer.echo(document.decode("utf-8"), nl=False)


def source_row(source: Source, stats: SourceStats) -> dict[str, Any]:
    """A source as JSON-ready data (``sources list --json``): its state, and what it carried
    as ``/sources`` counts it (articles of its own, copies of other outlets' articles, items
    per day over the week up to its newest item)."""
    return {
        "id": source.id,
        "name": source.name,
        "url": redact_url(source.url),
        "kind": source.kind,
        "demo": source.is_demo,
        "enabled": source.enabled,
        "fetch_pages": source.fetch_pages,
        "health": source.health,
        "last_polled_at": _iso(source.last_polled_at),
        "last_success_at": _iso(source.last_success_at),
        "last_status": source.last_status,
        "last_error": redact_text(source.last_error) if source.last_error else None,
        "last_error_reason": source.last_error_reason,
        "consecutive_failures": source.consecutive_failures,
        "next_poll_at": _iso(source.next_poll_at),
        "poll_interval_s": source.poll_interval_s,
        "items_per_day": stats.items_per_day,
        "latest_published_at": _iso(stats.latest),
        "articles": stats.articles,
        "copies": stats.copies,
    }


def _probe(settings: Settings, url: str, kind: str) -> tuple[str, str, str]:
    """(kind, url to poll, title) for a URL, fetching it once."""
    from wirebrief.feeds.probe import probe_source
    from wirebrief.fetch import Fetcher

    async def run() -> tuple[str, str, str]:
        async with Fetcher(settings) as fetcher:
            probed = await probe_source(fetcher, url)
        err_console.print(escape(f"{url}: {probed.note}"))
        return (probed.kind if kind == "auto" else kind), probed.url, probed.title

    return asyncio.run(run())


def _describe(source: Source) -> str:
    every = format_duration(source.poll_interval_s) if source.poll_interval_s else "adaptive"
    state_ = "enabled" if source.enabled else "paused"
    pages = "fetches pages" if source.fetch_pages else "uses feed content"
    return f"{source.name}, {state_}, polls {every}, {pages}"


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _ago(iso: str | None) -> str:
    if not iso:
        return "never"
    return format_duration((utcnow() - datetime.fromisoformat(iso)).total_seconds()) + " ago"


def _until(iso: str | None) -> str:
    if not iso:
        return "now"
    seconds = (datetime.fromisoformat(iso) - utcnow()).total_seconds()
    return "now" if seconds <= 0 else "in " + format_duration(seconds)
