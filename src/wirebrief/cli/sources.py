"""``wirebrief sources …``: manage what Wirebrief follows."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import typer
from rich.table import Table

from wirebrief.cli.context import console, err_console, state
from wirebrief.errors import FeedError, FetchError
from wirebrief.feeds.opml import Subscription, read_opml, write_opml
from wirebrief.feeds.parser import parse_feed
from wirebrief.fetch import Fetcher
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store

app = typer.Typer(
    help="Add, list, remove, import and export sources (feeds).", no_args_is_help=True
)


@app.command("add")
def add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="Feed URL (RSS, Atom or JSON Feed)."),
    name: str | None = typer.Option(
        None, "--name", "-n", help="Display name; default: the feed's title."
    ),
) -> None:
    """Follow a feed. Without --name, the feed is fetched once to read its title."""
    cli = state(ctx)
    db = cli.database()
    title = name or _feed_title(cli.settings, url)
    with db.session() as session:
        source = source_store.add_source(session, url, title)
        console.print(f"Added source {source.id}: {source.name} <{source.url}>")


@app.command("list")
def list_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """Show every source with its last poll."""
    db = state(ctx).database()
    with db.session() as session:
        rows = [
            {
                "id": s.id,
                "name": s.name,
                "url": s.url,
                "demo": s.is_demo,
                "enabled": s.enabled,
                "last_polled_at": s.last_polled_at.isoformat() if s.last_polled_at else None,
                "last_status": s.last_status,
                "last_error": s.last_error,
                "articles": len(s.articles),
            }
            for s in source_store.list_sources(session)
        ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "url", "articles", "last poll", "status")
    for row in rows:
        label = f"{row['name']} [dim](demo)[/dim]" if row["demo"] else row["name"]
        status = row["last_status"] or "never polled"
        if row["last_error"]:
            status += f": {row['last_error']}"
        table.add_row(
            str(row["id"]),
            label,
            row["url"],
            str(row["articles"]),
            row["last_polled_at"] or "-",
            status,
        )
    console.print(table)


@app.command("remove")
def remove(
    ctx: typer.Context, source_id: int = typer.Argument(..., help="Id from `sources list`.")
) -> None:
    """Stop following a source. Its articles stay."""
    db = state(ctx).database()
    with db.session() as session:
        source = source_store.remove_source(session, source_id)
        console.print(f"Removed source {source_id}: {source.name}")


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="OPML file."),
) -> None:
    """Follow every feed listed in an OPML file (already known feeds are skipped)."""
    db = state(ctx).database()
    subscriptions = read_opml(file.read_bytes())
    added = 0
    with db.session() as session:
        for sub in subscriptions:
            _, created = source_store.ensure_source(
                session,
                sub.url,
                sub.title or urlsplit(sub.url).hostname or sub.url,
                site_url=sub.site_url,
            )
            added += created
    console.print(
        f"Imported {file}: {added} new sources, {len(subscriptions) - added} already followed."
    )


@app.command("export")
def export(
    ctx: typer.Context,
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write here instead of stdout."
    ),
) -> None:
    """Write every source as OPML 2.0."""
    db = state(ctx).database()
    with db.session() as session:
        subs = [Subscription(s.url, s.name, s.site_url) for s in source_store.list_sources(session)]
    document = write_opml(subs)
    if output:
        output.write_bytes(document)
        err_console.print(f"Wrote {len(subs)} sources to {output}")
    else:
        typer.echo(document.decode("utf-8"), nl=False)


def _feed_title(settings: Settings, url: str) -> str:
    """The feed's own title; the host name when the feed cannot be read now."""
    fallback = urlsplit(url).hostname or url
    try:
        with Fetcher(settings) as fetcher:
            fetched = fetcher.fetch(url)
        return parse_feed(fetched.body, url, fetched.content_type).title or fallback
    except (FetchError, FeedError) as exc:
        err_console.print(
            f"[yellow]warning:[/yellow] could not read the feed now ({exc}); "
            f"adding it as {fallback!r}, it will be retried at the next fetch"
        )
        return fallback
