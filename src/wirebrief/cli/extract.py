"""``wirebrief extract``: article text and metadata from saved pages or URLs, as JSON lines."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from wirebrief.cli.context import state
from wirebrief.errors import ResponseTooLarge, WirebriefError
from wirebrief.fetch import Fetcher
from wirebrief.settings import Settings

if TYPE_CHECKING:
    from wirebrief.article import ArticleDraft


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("extract")(extract)


def extract(
    ctx: typer.Context,
    inputs: list[str] = typer.Argument(
        ..., help="Files (.html, .htm, .html.gz) or http(s) URLs; many in one call."
    ),
    url: str | None = typer.Option(
        None, "--url", help="The page's original URL, for saved files (resolves relative links)."
    ),
) -> None:
    """Print one JSON object per input: title, author, site_name, published, lang, text,
    reading_minutes, origin. A failed input prints {"input", "error"}; the exit code is then 1.
    """
    settings = state(ctx).settings
    failures = 0
    with Fetcher(settings) as fetcher:
        for item in inputs:
            try:
                record = extraction_record(item, _draft(item, url, settings, fetcher))
            except (WirebriefError, OSError, EOFError) as exc:
                failures += 1
                record = {"input": item, "error": str(exc)}
            print(json.dumps(record, ensure_ascii=False), flush=True)
    if failures:
        raise typer.Exit(1)


def _draft(item: str, url: str | None, settings: Settings, fetcher: Fetcher) -> ArticleDraft:
    from wirebrief.pipeline import fetch_page, process_page  # trafilatura loads once, here

    if item.startswith(("http://", "https://")):
        page = fetch_page(fetcher, item)
        return process_page(page.body, url or page.final_url, settings)
    path = Path(item)
    cap = settings.max_body_bytes
    with gzip.open(path) if path.name.endswith(".gz") else path.open("rb") as handle:
        raw = handle.read(cap + 1)
    if len(raw) > cap:
        raise ResponseTooLarge(
            item, f"larger than the cap of {cap} bytes (WIREBRIEF_MAX_BODY_BYTES)"
        )
    return process_page(raw, url or path.resolve().as_uri(), settings)


def extraction_record(item: str, draft: ArticleDraft) -> dict[str, Any]:
    """The stable ``extract`` contract: fields are added over time, never removed."""
    page = draft.extracted
    return {
        "input": item,
        "title": draft.title,
        "author": page.author,
        "site_name": page.site_name,
        "published": draft.published.isoformat() if draft.published else None,
        "lang": page.lang,
        "text": draft.text,
        "reading_minutes": draft.reading_minutes,
        "origin": {"name": draft.origin.name, "url": draft.origin.url} if draft.origin else None,
    }
