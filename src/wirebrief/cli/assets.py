"""``wirebrief assets …``: the asset registry, entity linking and prices."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from wirebrief.cli.context import console, state
from wirebrief.errors import WirebriefError

if TYPE_CHECKING:
    from wirebrief.markets.linker import Linker

RELINK_BATCH = 500  # articles per transaction

app = typer.Typer(
    help="The assets articles are linked to: list, import, link text, relink, quote prices.",
    no_args_is_help=True,
)


@app.command("link")
def link(
    ctx: typer.Context,
    source: str = typer.Argument(..., help="A text file, or - for standard input."),
    title: str = typer.Option("", "--title", "-t", help="The article's title (weighs more)."),
    jsonl: bool = typer.Option(
        False, "--jsonl", help='Read JSON lines {"id", "title", "text"}; print one line each.'
    ),
) -> None:
    """Print the assets a text is about, and those it mentions in passing, as JSON.

    The output is {"assets": [...], "mentions": [...]}: "assets" lists the assets the text
    is about, best first, each {"symbol", "name", "kind", "score", "evidence": [{"text",
    "start", "end", "field", "kind"}]}; "mentions" lists the assets it names in passing
    (a rival, a customer, background), in the same shape, each scoring below every asset
    in "assets". With --jsonl each input line prints {"id", "assets": [...], "mentions":
    [...]}, or {"id", "error"} (the exit code is then 1).
    """
    if jsonl and title:
        raise typer.BadParameter("--title applies to one text; with --jsonl give each a title")
    linker = state(ctx).asset_linker()
    content = _read(source)
    if not jsonl:
        print(json.dumps(_linked(linker, title, content), ensure_ascii=False))
        return
    failures = 0
    for number, line in enumerate(content.splitlines(), start=1):
        if line.strip():
            record = _link_record(linker, line, number)
            failures += "error" in record
            print(json.dumps(record, ensure_ascii=False), flush=True)
    if failures:
        raise typer.Exit(1)


@app.command("import")
def import_(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="An asset CSV file."),
) -> None:
    """Add assets from a CSV file, or replace known ones.

    Columns: symbol,name,kind,exchange,currency,ticker,aliases,ambiguous,provider_ids (see
    the README). Articles ingested from then on are linked to them.
    """
    from wirebrief.markets.registry import read_assets_file
    from wirebrief.storage import assets as asset_store

    specs = read_assets_file(file)
    with state(ctx).database().session() as session:
        added, updated = asset_store.import_assets(session, specs)
    console.print(f"Imported {file}: {added} new assets, {updated} updated.")


@app.command("relink")
def relink(ctx: typer.Context) -> None:
    """Link every stored article again with the current linker and registry.

    Use it after importing assets (articles stored before then are not linked to them) or
    after an upgrade, to decide again which assets each article is about and which it only
    mentions. Articles are read and stored in batches; it can be stopped and run again.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from wirebrief.markets import catalog
    from wirebrief.storage import assets as asset_store

    cli = state(ctx)
    db = cli.database()
    linker = cli.asset_linker()
    with db.session() as session:
        total = asset_store.count_articles(session)
    after, articles, about, mentions = 0, 0, 0, 0
    columns = (
        TextColumn("[progress.description]{task.description}"), BarColumn(),
        MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
    )  # fmt: skip
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("Linking articles", total=total)
        while True:
            with db.session() as session:
                batch = asset_store.texts_to_link(session, after_id=after, limit=RELINK_BATCH)
                for article_id, title, text in batch:
                    links = linker.link(title, text)
                    catalog.store_article_links(session, article_id, links)
                    about += sum(link.is_about for link in links)
                    mentions += sum(not link.is_about for link in links)
            if not batch:
                break
            after, articles = batch[-1][0], articles + len(batch)
            progress.update(task, advance=len(batch))
    console.print(
        f"Linked {articles} articles again: {about} links to assets they are about, "
        f"{mentions} passing mentions."
    )


@app.command("list")
def list_(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", help="stock, crypto, commodity or index."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the assets articles can be linked to (built-in and imported)."""
    from wirebrief.markets import catalog
    from wirebrief.markets.registry import builtin_assets
    from wirebrief.storage import assets as asset_store

    db = state(ctx).database_if_ready()
    if db is None:
        specs, counts = list(builtin_assets()), {}
    else:
        with db.session() as session:
            specs, counts = catalog.all_specs(session), asset_store.article_counts(session)
    rows = [
        spec.listing(counts.get(spec.symbol, 0))
        for spec in specs
        if kind is None or spec.kind == kind.lower()
    ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("symbol", "name", "kind", "names", "articles")
    for row in rows:
        names = ", ".join(row["aliases"] + [f"{name} (in context)" for name in row["ambiguous"]])
        table.add_row(row["symbol"], row["name"], row["kind"], names, str(row["articles"]))
    console.print(table)


@app.command("quote")
def quote(
    ctx: typer.Context,
    symbol: str = typer.Argument(..., help="An asset symbol, e.g. BTC or TSLA."),
    days: int = typer.Option(30, "--days", min=1, max=365, help="History to print with --json."),
    as_json: bool = typer.Option(False, "--json", help="Print the quote and daily closes."),
) -> None:
    """Print an asset's last price, 24 h change and as-of time.

    Prices come from the configured providers (WIREBRIEF_PRICE_PROVIDERS,
    WIREBRIEF_PRICES_DIR), else from prices stored earlier.
    """
    from wirebrief.markets.prices import PriceBook
    from wirebrief.markets.providers import build_providers
    from wirebrief.markets.quotes import direction, format_change, format_price
    from wirebrief.markets.quotes import quote as quote_of
    from wirebrief.markets.registry import Registry, builtin_assets
    from wirebrief.storage import assets as asset_store

    cli = state(ctx)
    db = cli.database_if_ready()
    specs = list(builtin_assets())
    if db is not None:
        with db.session() as session:
            specs += asset_store.stored_specs(session)
    spec = Registry(specs).get(symbol)
    if spec is None:
        raise WirebriefError(f"there is no asset {symbol}; see `wirebrief assets list`")
    book = PriceBook(build_providers(cli.settings), db)
    try:
        series = book.series(spec, days)
    finally:
        book.close()
    current = quote_of(series)
    assert current is not None  # a series always has bars
    labels = [series.provider] + ["sample data"] * series.sample + ["stale"] * series.stale
    if as_json:
        record = {
            "symbol": spec.symbol,
            "name": spec.name,
            "last": current.last,
            "currency": current.currency,
            "change_24h": current.change_24h,
            "change_24h_pct": current.change_24h_pct,
            "as_of": current.as_of.isoformat(),
            "provider": series.provider,
            "sample": series.sample,
            "stale": series.stale,
            "note": series.note,
            "history": [{"at": bar.at.isoformat(), "close": bar.close} for bar in series.bars],
        }
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    arrow = {"up": "▲", "down": "▼", "flat": "■"}[direction(current.change_24h_pct)]
    change = format_change(current.change_24h_pct) or "n/a"
    console.print(
        f"{spec.symbol} {spec.name}: {format_price(current.last, current.currency)} "
        f"{arrow} {change} (24 h), as of {current.as_of:%Y-%m-%d %H:%M} UTC "
        f"[{', '.join(labels)}]",
        highlight=False,
        markup=False,
    )
    if series.note:
        console.print(series.note, style="yellow", highlight=False, markup=False)


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise WirebriefError(f"cannot read {source}: {reason}") from exc


def _link_record(linker: Linker, line: str, number: int) -> dict[str, Any]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": number, "error": f"not JSON: {exc.msg}"}
    if not isinstance(item, dict):
        return {"id": None, "line": number, "error": 'expected an object {"id","title","text"}'}
    title, text = item.get("title") or "", item.get("text") or ""
    if not isinstance(title, str) or not isinstance(text, str):
        return {"id": item.get("id"), "line": number, "error": "title and text must be strings"}
    return {"id": item.get("id"), **_linked(linker, title, text)}


def _linked(linker: Linker, title: str, text: str) -> dict[str, list[dict[str, Any]]]:
    """The output of ``assets link`` for one text: about first, then passing mentions."""
    links = linker.link(title, text)
    return {
        "assets": [link.as_dict() for link in links if link.is_about],
        "mentions": [link.as_dict() for link in links if not link.is_about],
    }
