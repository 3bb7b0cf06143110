"""Shared fixtures: settings that allow loopback only, a fresh SQLite file, servers."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from wirebrief.settings import Settings
from wirebrief.storage.db import Database

LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.0/8"),)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings for one test: its own SQLite file, loopback allowed, short timeouts."""
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'wirebrief.db'}",
        allowed_private_networks=LOOPBACK_ONLY,
        connect_timeout_s=2.0,
        read_timeout_s=2.0,
        total_timeout_s=5.0,
        max_body_bytes=1024 * 1024,
        per_host_delay_s=0.0,
        extract_workers=0,  # threads: tests that need the process pool ask for it
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """A migrated database in a temporary file."""
    database = Database(settings.database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Database]:
    """A migrated, empty database on each engine: SQLite always, PostgreSQL when available.

    ``make test`` starts a throwaway PostgreSQL (scripts/test-postgres.sh) and sets
    WIREBRIEF_TEST_POSTGRES_URL; without it the PostgreSQL half is skipped.
    """
    if request.param == "sqlite":
        url = settings.database_url
    else:
        url = os.environ.get("WIREBRIEF_TEST_POSTGRES_URL", "")
        if not url:
            pytest.skip("no PostgreSQL server: run the suite through `make test`")
        _reset_postgres(url)
    database = Database(url)
    database.upgrade()
    yield database
    database.dispose()


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
