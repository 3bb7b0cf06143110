"""``wirebrief search`` and ``wirebrief reindex``."""

from __future__ import annotations

import html
import json
import re

import typer
from rich.text import Text

from wirebrief.cli.context import console, state
from wirebrief.storage.types import MAX_ID


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("search")(search_command)
    app.command("reindex")(reindex)


def search_command(
    ctx: typer.Context,
    query: str = typer.Argument(
        "", help='Words, "phrases", prefix*, -exclusions, OR; empty: filters only.'
    ),
    source: list[int] = typer.Option(
        [], "--source", "-s", min=1, max=MAX_ID, help="Source id (repeatable)."
    ),
    asset: list[str] = typer.Option([], "--asset", "-a", help="Asset symbol (repeatable)."),
    lang: str | None = typer.Option(None, "--lang", help='Language, e.g. "en".'),
    since: str | None = typer.Option(None, "--since", help="Published on or after this date."),
    until: str | None = typer.Option(None, "--until", help="Published up to this date."),
    sort: str = typer.Option("relevance", "--sort", help="relevance or time."),
    limit: int = typer.Option(10, "--limit", "-n", min=1, max=100, help="How many results."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines."),
) -> None:
    """Search stored articles; copies of one story show once."""
    from wirebrief.search.backend import SearchFilters
    from wirebrief.search.service import parse_when, search

    filters = SearchFilters(
        sources=tuple(source), assets=tuple(asset), lang=lang,
        since=parse_when(since), until=parse_when(until, end=True),
    )  # fmt: skip
    with state(ctx).database().session() as session:
        page = search(session, query, filters, sort=sort, limit=limit)
        for n, result in enumerate(page.results, 1):
            article = result.article
            source_name = article.source.name if article.source else article.site_name or ""
            when = article.published_at.isoformat() if article.published_at else None
            if as_json:
                print(json.dumps({
                    "id": article.id, "title": article.title, "url": article.url,
                    "source": source_name, "published_at": when, "story_id": article.story_id,
                    "score": result.score, "snippet": _plain(result.snippet_html),
                }, ensure_ascii=False))  # fmt: skip
                continue
            console.print(Text(f"{n}. ", style="bold") + _marked(result.title_html, "bold"))
            byline = f"{source_name} · {when or 'undated'} · article {article.id}"
            console.print(Text(f"   {byline}", style="dim"))
            console.print(Text("   ") + _marked(result.snippet_html))
        if not page.results and not as_json:
            console.print(f"Nothing matches {page.query}.")


def reindex(
    ctx: typer.Context,
    related: bool = typer.Option(
        True, "--related/--no-related", help="Also recompute every article's related stories."
    ),
) -> None:
    """Rebuild the search index (and related stories) from the stored articles."""
    from sqlalchemy import select

    from wirebrief.search.backend import backend_for
    from wirebrief.search.related import update_related
    from wirebrief.storage import dataversion
    from wirebrief.storage.models import Article

    db = state(ctx).database()
    with db.session() as session:
        count = backend_for(session).rebuild(session)
        dataversion.bump(session)  # search pages cached by the web change with the index
        ids = list(session.scalars(select(Article.id).order_by(Article.id))) if related else []
    console.print(f"Search index rebuilt: {count} articles.")
    for start in range(0, len(ids), 500):  # oldest first, as if they arrived again
        with db.session() as session:
            for article in session.scalars(
                select(Article).where(Article.id.in_(ids[start : start + 500])).order_by(Article.id)
            ):
                update_related(session, article)
    if related:
        console.print(f"Related stories recomputed for {len(ids)} articles.")


_MARK = re.compile(r"(<mark>|</mark>)")


def _marked(fragment: str, style: str = "") -> Text:
    """Our escaped-with-<mark> HTML as terminal text, matches highlighted."""
    text = Text(style=style)
    inside = False
    for part in _MARK.split(str(fragment)):
        if part in ("<mark>", "</mark>"):
            inside = part == "<mark>"
        elif part:
            text.append(html.unescape(part), style="black on yellow" if inside else "")
    return text


def _plain(fragment: str) -> str:
    return html.unescape(_MARK.sub("", str(fragment)))
