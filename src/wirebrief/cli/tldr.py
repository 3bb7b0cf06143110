"""``wirebrief tldr``: a TLDR of a text or a saved page, or of many texts as JSON lines."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from wirebrief.cli.context import err_console, state
from wirebrief.errors import WirebriefError

if TYPE_CHECKING:
    from wirebrief.settings import Settings
    from wirebrief.summarize import Document, Tldr
    from wirebrief.summarize.llm import AnswerCache

BATCH = 64  # JSON lines sent to an LLM together; extractive output streams line by line
_PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("tldr")(tldr)


def tldr(
    ctx: typer.Context,
    path: str | None = typer.Argument(
        None, help="A text file, a saved page (.html, .htm, .html.gz), or - for standard input."
    ),
    title: str | None = typer.Option(None, "--title", help="The article's title."),
    jsonl: bool = typer.Option(
        False,
        "--jsonl",
        help='Read {"id", "title", "text"} lines on standard input; write '
        '{"id", "headline", "bullets", "method"} lines.',
    ),
    no_llm: bool = typer.Option(
        False, "--no-llm", help="Extractive only, even when WIREBRIEF_LLM_* is configured."
    ),
) -> None:
    """Print {"headline", "bullets", "method"}: the author's key points when the text opens
    with them, else an extractive summary, or a checked LLM summary when one is configured
    (WIREBRIEF_LLM_BASE_URL, WIREBRIEF_LLM_MODEL). Offline by default.
    """
    settings = state(ctx).settings
    if no_llm:
        settings = settings.with_overrides(llm_base_url="", llm_model="")
    if jsonl:
        if path not in (None, "-"):
            raise typer.BadParameter("--jsonl reads standard input; leave PATH out")
        failures = _run_jsonl(sys.stdin, settings)
        if failures:
            raise typer.Exit(1)
        return
    if path is None:
        raise typer.BadParameter("give a PATH, - for standard input, or --jsonl")
    document, summary = _one(path, title, settings)
    summary = asyncio.run(_with_llm(settings, [(document, summary)]))[0]
    if summary.note:
        err_console.print(f"note: {summary.note}", highlight=False, markup=False)
    print(json.dumps(summary.as_dict(), ensure_ascii=False))


def _one(path: str, title: str | None, settings: Settings) -> tuple[Document, Tldr]:
    """The document and its offline TLDR, from a text file, standard input or a saved page."""
    from wirebrief.summarize import Document, summarize_article

    if path.endswith(_PAGE_SUFFIXES):
        from wirebrief.cli.extract import _file_url, _read
        from wirebrief.pipeline import process_page

        try:
            draft = process_page(_read(Path(path), settings), _file_url(path), settings)
        except OSError as exc:
            raise WirebriefError(f"cannot read {path}: {exc.strerror or exc}") from exc
        document = Document(title or draft.title, draft.text, draft.extracted.lang)
        return document, draft.tldr or summarize_article(document.title, document.text)
    text = sys.stdin.read() if path == "-" else _read_text(path)
    document = Document(title or "", text)
    return document, summarize_article(document.title, text)


def _read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise WirebriefError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _run_jsonl(lines: Iterable[str], settings: Settings) -> int:
    """TLDR every input line, in order; a bad line prints {"id", "error"}. Returns failures."""
    failures = 0
    size = BATCH if settings.llm_base_url and settings.llm_model else 1
    for batch in _batches((line for line in lines if line.strip()), size):
        parsed = [_parse_line(line) for line in batch]
        good = [item for item in parsed if not isinstance(item, dict)]
        summaries = iter(asyncio.run(_with_llm(settings, [(doc, tl) for _, doc, tl in good])))
        for item in parsed:
            if isinstance(item, dict):
                failures += 1
                record = item
            else:
                record = {"id": item[0], **next(summaries).as_dict()}
            print(json.dumps(record, ensure_ascii=False), flush=True)
    return failures


def _parse_line(line: str) -> tuple[Any, Document, Tldr] | dict[str, Any]:
    """(id, document, offline TLDR), or the error record for a line that is not usable."""
    from wirebrief.summarize import Document, summarize_article

    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"not a JSON object: {exc.msg}"}
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        ident = data.get("id") if isinstance(data, dict) else None
        return {"id": ident, "error": 'each line needs a "text" string'}
    title = str(data.get("title") or "")
    lang = data.get("lang") if isinstance(data.get("lang"), str) else None
    points = data.get("author_tldr") if isinstance(data.get("author_tldr"), list) else None
    document = Document(title, data["text"], lang)
    summary = summarize_article(title, data["text"], lang=lang, author_points=points)
    return data.get("id"), document, summary


async def _with_llm(settings: Settings, items: list[tuple[Document, Tldr]]) -> list[Tldr]:
    """The LLM's TLDRs when one is configured (cached in the database when it is set up)."""
    from wirebrief.summarize import LlmConfig, LlmSummarizer

    config = LlmConfig.from_settings(settings)
    if config is None or not items:
        return [summary for _, summary in items]
    async with LlmSummarizer(config, _cache(settings)) as llm:
        return await llm.summarize_many(items)


def _cache(settings: Settings) -> AnswerCache:
    """The ``llm_cache`` table when the database is initialised, else memory for this run."""
    from sqlalchemy.exc import SQLAlchemyError

    from wirebrief.storage.db import Database
    from wirebrief.storage.llmcache import DbCache
    from wirebrief.summarize import MemoryCache

    if settings.sqlite_path is not None and not settings.sqlite_path.exists():
        return MemoryCache()  # never create a database file just to cache answers
    try:
        db = Database(settings.database_url)
        if db.is_current():
            return DbCache(db)
    except (WirebriefError, SQLAlchemyError):
        pass  # the cache is optional: no database, or not initialised
    return MemoryCache()


def _batches(items: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
