"""``wirebrief ingest-warc FILE``: backfill from a web archive written here with warcio."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support.cli import run_cli
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Source

WARC_DATE = "2026-05-04T10:15:30Z"
SITE = "https://orchard.example"
TOPICS = {
    "/apple-harvest": "Apple harvest beats forecasts",
    "/pear-prices": "Pear prices fall at the market",
    "/cider-exports": "Cider exports reach a record",
}


def article_page(title: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><article><h1>{title}</h1><p>{title}, the growers' association said on "
        "Monday, after a season of mild weather and careful work in the orchards.</p><p>Buyers "
        "at the wholesale market expect the trend to last until the end of the year.</p>"
        "</article></body></html>"
    ).encode()


def write_warc(path: Path) -> list[int]:
    """warcinfo, 3 article pages, a 404 page and a PNG; return each record's end offset."""
    ends: list[int] = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)

        def response(url: str, status: str, content_type: str, payload: bytes) -> None:
            http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(payload),
                http_headers=http,
                warc_headers_dict={"WARC-Date": WARC_DATE},
            )
            writer.write_record(record)
            ends.append(out.tell())

        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
        ends.append(out.tell())
        for page, title in TOPICS.items():
            response(SITE + page, "200 OK", "text/html; charset=utf-8", article_page(title))
        response(SITE + "/missing", "404 Not Found", "text/html", b"<html><p>gone</p></html>")
        png = b"\x89PNG\r\n\x1a\n" + bytes(256)
        response(SITE + "/logo.png", "200 OK", "image/png", png)
    return ends


@pytest.fixture(scope="module")
def initialised_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `wirebrief init` per module; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "wirebrief.db"
    init = run_cli("init", database_url=f"sqlite:///{path}")
    assert init.returncode == 0, init.stderr
    return path


@pytest.fixture
def db_url(initialised_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("WIREBRIEF_EXTRACT_WORKERS", "0")  # threads: no process pool to start
    path = tmp_path / "wirebrief.db"
    shutil.copyfile(initialised_db, path)
    return f"sqlite:///{path}"


def stored(db_url: str) -> tuple[list[Source], dict[str, Article]]:
    db = Database(db_url)
    try:
        with db.session() as session:
            sources = source_store.list_sources(session)
            articles = {a.url: a for a in session.scalars(select(Article))}
            session.expunge_all()
            return sources, articles
    finally:
        db.dispose()


def summary_row(stdout: str, name: str) -> list[str]:
    """status, new, copies, updated, unchanged, deferred, failed: the fetch summary's row for ``name``."""
    for line in stdout.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("│").split("│")]
        if cells[0].endswith(f" {name}"):
            return cells[1:]
    raise AssertionError(f"no summary row for {name} in:\n{stdout}")


def test_ingest_warc_stores_each_article_once_under_a_disabled_warc_source(
    db_url: str, tmp_path: Path
) -> None:
    warc = tmp_path / "orchard.warc.gz"
    write_warc(warc)

    first = run_cli("ingest-warc", str(warc), database_url=db_url)

    assert first.returncode == 0, first.stderr
    assert "6 records, 3 HTML pages (3 other records skipped)" in first.stdout
    assert summary_row(first.stdout, "orchard.warc.gz") == ["ok", "3", "0", "0", "0", "0", "0"]
    (source,), articles = stored(db_url)
    assert (source.kind, source.enabled, source.name) == ("warc", False, "orchard.warc.gz")
    assert source.url == warc.resolve().as_uri()
    assert set(articles) == {SITE + page for page in TOPICS}
    for page, title in TOPICS.items():
        article = articles[SITE + page]
        assert article.source_id == source.id
        assert article.title == title
        assert "growers' association said on Monday" in article.text
        assert len(article.text.split()) >= 15

    again = run_cli("ingest-warc", str(warc), database_url=db_url)

    assert again.returncode == 0, again.stderr
    assert summary_row(again.stdout, "orchard.warc.gz") == ["ok", "0", "0", "0", "3", "0", "0"]
    (same_source,), same_articles = stored(db_url)
    assert same_source.id == source.id
    assert {url: a.id for url, a in same_articles.items()} == {
        url: a.id for url, a in articles.items()
    }

    polled = run_cli("fetch", database_url=db_url)  # an archive is never polled
    assert polled.returncode == 0, polled.stderr
    assert "No source is due" in polled.stdout


def test_truncated_warc_fails_in_one_line_and_keeps_the_pages_before_the_damage(
    db_url: str, tmp_path: Path
) -> None:
    warc = tmp_path / "cut.warc.gz"
    ends = write_warc(warc)
    third_page = (ends[2] + ends[3]) // 2  # the middle of the third article's record
    warc.write_bytes(warc.read_bytes()[:third_page])

    result = run_cli("ingest-warc", str(warc), database_url=db_url)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error:")
    assert "truncated or corrupt" in lines[0] and "cut.warc.gz" in lines[0]
    (source,), articles = stored(db_url)
    assert source.kind == "warc" and not source.enabled
    assert set(articles) == {SITE + "/apple-harvest", SITE + "/pear-prices"}
