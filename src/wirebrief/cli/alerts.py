"""``wirebrief alerts …``: saved searches, their feeds and webhooks."""

from __future__ import annotations

import asyncio
import json
import secrets
from typing import Any
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from wirebrief.cli.context import console, state
from wirebrief.storage.types import MAX_ID

app = typer.Typer(
    help="Saved searches: each has RSS, Atom and JSON feeds, and optional signed webhooks.",
    no_args_is_help=True,
)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A name for the saved search."),
    query: str = typer.Argument("", help='The search, e.g. "bitcoin etf" -rumour.'),
    source: list[int] = typer.Option(
        [], "--source", "-s", min=1, max=MAX_ID, help="Source id (repeatable)."
    ),
    asset: list[str] = typer.Option([], "--asset", "-a", help="Asset symbol (repeatable)."),
    lang: str | None = typer.Option(None, "--lang", help='Language, e.g. "en".'),
    webhook: list[str] = typer.Option(
        [], "--webhook", "-w", help="POST new matches to this URL (repeatable)."
    ),
    secret: str | None = typer.Option(
        None, "--secret", help="Signing secret for the webhooks; default: a random one."
    ),
) -> None:
    """Save a search. Its feeds list its newest matches; its webhooks get the new ones."""
    from wirebrief.search.query import parse_query
    from wirebrief.storage import alerts as alert_store

    if not parse_query(query) and not (source or asset or lang):
        raise typer.BadParameter("give a query, or at least one --source, --asset or --lang")
    for url in webhook:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise typer.BadParameter(f"{url!r} is not an http(s) URL", param_hint="--webhook")
    secret = secret or secrets.token_hex(32)
    with state(ctx).database().session() as session:
        saved = alert_store.add_saved_search(
            session, name, query, source_ids=source, asset_symbols=[a.upper() for a in asset],
            lang=lang,
        )  # fmt: skip
        for url in webhook:
            alert_store.add_webhook(session, saved, url, secret)
        console.print(escape(f"Saved search {saved.id}: {name}"), highlight=False)
        console.print(f"  feeds: /feeds/searches/{saved.id}.rss  .atom  .json", highlight=False)
    if webhook:
        console.print(
            "  webhook secret (verify X-Wirebrief-Signature with it; shown only now): " + secret,
            highlight=False,
        )


@app.command("list")
def list_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """Saved searches with their filters and webhooks."""
    from wirebrief.storage import alerts as alert_store

    with state(ctx).database().session() as session:
        rows: list[dict[str, Any]] = [
            {
                "id": s.id,
                "name": s.name,
                "query": s.query,
                "sources": s.source_ids or [],
                "assets": s.asset_symbols or [],
                "lang": s.lang,
                "webhooks": [w.url for w in s.webhooks],
            }
            for s in alert_store.list_saved_searches(session)
        ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table("id", "name", "query", "filters", "webhooks")
    for row in rows:
        filters = " ".join(
            [f"source={s}" for s in row["sources"]] + [f"asset={a}" for a in row["assets"]]
            + ([f"lang={row['lang']}"] if row["lang"] else [])
        )  # fmt: skip
        table.add_row(str(row["id"]), escape(row["name"]), escape(row["query"]), filters,
                      escape("\n".join(row["webhooks"])))  # fmt: skip
    console.print(table)


@app.command("remove")
def remove(
    ctx: typer.Context, key: str = typer.Argument(..., help="The saved search's id or name.")
) -> None:
    """Delete a saved search, its webhooks and their delivery log."""
    from wirebrief.storage import alerts as alert_store

    with state(ctx).database().session() as session:
        saved = alert_store.remove_saved_search(session, key)
        console.print(escape(f"Removed saved search {saved.id}: {saved.name}"), highlight=False)


@app.command("deliver")
def deliver(ctx: typer.Context) -> None:
    """One alerts pass: queue new matches, POST what is due (`wirebrief run` does this
    every 30 s)."""
    from wirebrief.alerts.runner import run_alerts

    cli = state(ctx)
    report = asyncio.run(run_alerts(cli.database(), cli.settings))
    d = report.delivery
    console.print(
        f"queued {report.queued}, delivered {d.delivered}, retrying {d.retrying}, "
        f"failed {d.failed}",
        highlight=False,
    )
    for error in d.errors:
        console.print(escape(f"  {error}"), highlight=False)


@app.command("log")
def log(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=1000, help="How many rows."),
) -> None:
    """The newest webhook deliveries: status, attempts, last error."""
    from wirebrief.storage import alerts as alert_store

    with state(ctx).database().session() as session:
        table = Table("id", "search", "article", "status", "attempts", "last", "next", "error")
        for delivery, webhook in alert_store.delivery_log(session, limit):
            table.add_row(
                str(delivery.id), escape(webhook.saved_search.name), str(delivery.article_id),
                delivery.status, str(delivery.attempts),
                str(delivery.last_http_status or ""),
                delivery.next_attempt_at.strftime("%Y-%m-%d %H:%M:%S")
                if delivery.status == "pending" else "",
                escape(delivery.last_error or ""),
            )  # fmt: skip
    console.print(table)
