"""A PostgreSQL database for one test, when the suite has a server (``make test``)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from wirebrief.storage.db import Database


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """A migrated, empty PostgreSQL database; skipped without WIREBRIEF_TEST_POSTGRES_URL."""
    url = os.environ.get("WIREBRIEF_TEST_POSTGRES_URL", "")
    if not url:
        pytest.skip("no PostgreSQL server: run the suite through `make test`")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    database = Database(url)
    database.upgrade()
    yield database
    database.dispose()
