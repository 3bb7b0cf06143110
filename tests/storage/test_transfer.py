"""migrate-data: a whole SQLite installation copied into PostgreSQL, checked table by table."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.support.cli import run_cli
from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from wirebrief.demo.server import NewsroomServer
from wirebrief.pipeline import ingest_due
from wirebrief.search.service import search
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.dialect import libpq_conninfo, normalize_url
from wirebrief.storage.models import Article, Base


def test_postgresql_urls_get_the_psycopg_driver() -> None:
    assert normalize_url("postgresql://u:p@h:5/db") == "postgresql+psycopg://u:p@h:5/db"
    assert normalize_url("postgres://h/db") == "postgresql+psycopg://h/db"
    assert normalize_url("sqlite:///x.db") == "sqlite:///x.db"
    assert libpq_conninfo("postgresql+psycopg://u@h/db") == "postgresql://u@h/db"


def test_migrate_data_copies_everything_with_matching_checksums(
    db: Database,
    settings: Settings,
    pg_db: Database,  # noqa: F811
) -> None:
    with NewsroomServer() as newsroom:
        with db.session() as session:
            for name, feed_url in newsroom.feed_urls():
                source_store.add_source(session, feed_url, name)
        ingest_due(db, settings)
    target_url = pg_db.url.replace("postgresql+psycopg://", "postgresql://")

    copied = run_cli("migrate-data", "--from", db.url, "--to", target_url, database_url=db.url)

    assert copied.returncode == 0, copied.stderr
    assert "counts and checksums match" in copied.stdout
    with db.session() as old, pg_db.session() as new:
        for table in Base.metadata.sorted_tables:
            count = select(func.count()).select_from(table)
            assert old.scalar(count) == new.scalar(count), table.name
        assert new.scalar(select(func.count(Article.id))) >= 20
        # Sequences moved past the copied ids, and search works on the copy.
        added = source_store.add_source(new, "http://127.0.0.1:9/new.xml", "new")
        assert added.id == len(source_store.list_sources(new))
        assert search(new, "korvex").results
    again = run_cli("migrate-data", "--from", db.url, "--to", target_url, database_url=db.url)
    assert again.returncode == 1 and "empty database" in again.stderr
