"""``wirebrief cluster``: which articles are copies, and which cover the same event."""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from wirebrief.cli.context import state
from wirebrief.errors import WirebriefError
from wirebrief.times import as_utc

# Inputs without a URL still need a unique identity inside the scratch database.
_URL_FOR_ID = "urn:wirebrief:input:{}"


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("cluster")(cluster)


def cluster(
    ctx: typer.Context,
    input_file: str = typer.Argument(
        ...,
        metavar="INPUT.jsonl",
        help='Lines of {"id","url","site","title","text","published"}; - for stdin.',
    ),
) -> None:
    """Print {"id","duplicate_of","story_id"} per input line, in input order.

    Runs the same repost detection and story grouping as live ingestion, in a scratch
    database that is thrown away: your own database is not touched. duplicate_of is the
    id of the input this one copies (its origin), or null.
    """
    from wirebrief.pipeline import process_text, store_article
    from wirebrief.storage.db import Database

    records = list(_read(input_file))
    settings = state(ctx).settings
    with tempfile.TemporaryDirectory(prefix="wirebrief-cluster-") as scratch:
        settings = settings.with_overrides(database_url=f"sqlite:///{scratch}/cluster.db")
        db = Database(settings.database_url)
        db.upgrade()
        urls: dict[str, str] = {}  # input id -> URL in the scratch database
        for record in records:
            key = str(record["id"])
            url = record.get("url") or _URL_FOR_ID.format(key)
            if url in urls.values():
                url = _URL_FOR_ID.format(key)  # two inputs claiming one URL stay two inputs
            urls[key] = url
            draft = process_text(
                url, record.get("title") or "", record.get("text") or "", settings,
                site_name=record.get("site"), published=_time(record.get("published")),
            )  # fmt: skip
            with db.session() as session:
                store_article(session, draft)
        ids = {str(r["id"]): r["id"] for r in records}  # a number stays a number
        for key, result in _results(db, urls).items():
            copied = result["duplicate_of"]
            result["duplicate_of"] = None if copied is None else ids[copied]
            print(json.dumps({"id": ids[key], **result}), flush=True)
        db.dispose()


def _lines(path: str) -> Iterator[str]:
    if path == "-":
        yield from sys.stdin
        return
    try:
        with Path(path).open(encoding="utf-8") as handle:
            yield from handle
    except OSError as exc:
        raise WirebriefError(
            f"cannot read {path}: {exc.strerror}; give a JSON lines file, or - for stdin"
        ) from exc
    except UnicodeDecodeError as exc:
        raise WirebriefError(f"{path} is not UTF-8 text: {exc.reason}") from exc


def _read(path: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise typer.BadParameter(f"line {number} is not JSON: {exc}") from exc
        if not isinstance(record, dict) or "id" not in record:
            raise typer.BadParameter(f'line {number} needs at least an "id"')
        yield record


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return as_utc(parsed)


def _results(db: Any, urls: dict[str, str]) -> dict[str, dict[str, Any]]:
    """For each input: the input it copies (its origin's) and its story."""
    from sqlalchemy import select

    from wirebrief.storage.models import Article

    with db.session() as session:
        articles = {a.id: a for a in session.scalars(select(Article))}
    page_article = {a.url: a for a in articles.values()}
    by_url = {url: key for key, url in urls.items()}
    results = {}
    for key, url in urls.items():
        article = page_article[url]
        root = articles.get(article.family, article)
        origin_key = by_url.get(root.url)
        results[key] = {
            "duplicate_of": None if origin_key in (None, key) else origin_key,
            "story_id": root.story_id,
        }
    return results
