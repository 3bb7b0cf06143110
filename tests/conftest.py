"""Shared fixtures: settings that allow loopback only, a fresh SQLite file, servers."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """A migrated database in a temporary file."""
    database = Database(settings.database_url)
    database.upgrade()
    yield database
    database.dispose()
