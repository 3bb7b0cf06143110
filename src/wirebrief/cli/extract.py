"""``wirebrief extract``: article text and metadata from saved pages or URLs, as JSON lines."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from wirebrief.cli.context import state
from wirebrief.errors import ResponseTooLarge, WirebriefError
from wirebrief.settings import Settings

if TYPE_CHECKING:
    from datetime import datetime

    from wirebrief.article import ArticleDraft
    from wirebrief.extract.provenance import Origin
    from wirebrief.fetch import FetchResult


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
    """Print one JSON object per input: title, author, authors, site_name, published,
    modified, lang, canonical_url, image, text (the article body only), reading_minutes,
    origin (the first publisher), origin_chain (nearest copy first) and author_tldr (the
    article's own key points). A failed input prints {"input", "error"}; the exit code is
    then 1. URLs are fetched concurrently; the extractor loads once for all inputs.
    """
    from wirebrief.pipeline import process_page

    cli = state(ctx)
    settings, linker = cli.settings, cli.asset_linker()
    fetched = asyncio.run(_fetch_all([i for i in inputs if _is_url(i)], settings))
    failures = 0
    for item in inputs:
        try:
            if _is_url(item):
                page = fetched[item]
                if isinstance(page, WirebriefError):
                    raise page
                draft = process_page(page.body, url or page.final_url, settings, linker=linker,
                                     content_type=page.headers.get("content-type", ""))  # fmt: skip
            else:
                page_url = url or _file_url(item)
                draft = process_page(_read(Path(item), settings), page_url, settings, linker=linker)
            record = extraction_record(item, draft)
        except (WirebriefError, OSError, EOFError) as exc:
            failures += 1
            record = {"input": item, "error": str(exc)}
        print(json.dumps(record, ensure_ascii=False), flush=True)
    if failures:
        raise typer.Exit(1)


async def _fetch_all(
    urls: list[str], settings: Settings
) -> dict[str, FetchResult | WirebriefError]:
    from wirebrief.fetch import Fetcher
    from wirebrief.pipeline import PAGE_ACCEPT

    async with Fetcher(settings) as fetcher:

        async def one(address: str) -> FetchResult | WirebriefError:
            try:
                return await fetcher.fetch(address, accept=PAGE_ACCEPT, check_robots=True)
            except WirebriefError as exc:
                return exc

        results = await asyncio.gather(*(one(address) for address in urls))
    return dict(zip(urls, results, strict=True))


def _is_url(item: str) -> bool:
    return item.startswith(("http://", "https://"))


def _file_url(item: str) -> str:
    return Path(item).resolve().as_uri()


def _read(path: Path, settings: Settings) -> bytes:
    cap = settings.max_body_bytes
    with gzip.open(path) if path.name.endswith(".gz") else path.open("rb") as handle:
        raw = handle.read(cap + 1)
    if len(raw) > cap:
        raise ResponseTooLarge(str(path), f"larger than {cap} bytes; see WIREBRIEF_MAX_BODY_BYTES")
    return raw


def extraction_record(item: str, draft: ArticleDraft) -> dict[str, Any]:
    """The stable ``extract`` contract: fields are added over time, never removed."""
    page = draft.extracted
    return {
        "input": item,
        "title": draft.title,
        "author": page.author,
        "authors": page.authors,
        "site_name": page.site_name,
        "published": _iso(draft.published),
        "modified": _iso(draft.modified),
        "lang": page.lang,
        "canonical_url": page.canonical_url,
        "image": page.image,
        "text": draft.text,
        "reading_minutes": draft.reading_minutes,
        "origin": _origin(draft.origin) if draft.origin else None,
        "origin_chain": [_origin(origin) for origin in draft.origin_chain],
        "author_tldr": draft.author_tldr,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _origin(origin: Origin) -> dict[str, str | None]:
    return {"name": origin.name, "url": origin.url}
