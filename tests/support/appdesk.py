"""A desk for reader-app tests: the reader served on 127.0.0.1 over :func:`build_desk`'s
newsroom, with an exact copy of the Korvex original seen on a third site, and an account
with an API password that follows every source."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.appserver import AppServer
from tests.support.articles import add_article
from tests.support.desk import Desk, build_desk
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article
from wirebrief.web.app import create_app

NAME, PASSWORD = "ana", "correct horse battery"
MIRROR_URL = "https://mirror.example/korvex-halts"


@dataclass(frozen=True)
class AppDesk:
    """The served reader, what :func:`build_desk` stored, and the account's API password."""

    base_url: str
    desk: Desk
    mirror_id: int  # the source that carried an exact copy of the original
    api_password: str
    name: str = NAME


def seed_accounts(db: Database) -> tuple[Desk, int, str]:
    """The newsroom, the mirror's exact copy of the original (a row of its own pointing at
    it, as the store stage makes it), and the account (unread history: everything)."""
    desk = build_desk(db)
    with db.session() as session:
        mirror = source_store.add_source(session, "https://mirror.example/feed", "Mirror Post")
        original = session.get_one(Article, desk.original_id)
        add_article(
            session, original.title, original.text, index=False, url=MIRROR_URL,
            source_id=mirror.id, site_name="Mirror Post", duplicate_of=original.id,
            story_id=original.story_id, content_hash=original.content_hash,
        )  # fmt: skip
        user = users.add_user(session, NAME, PASSWORD, unread_days=None)
        subs.subscribe_to_desk(session, user)
        api_password = users.new_api_password(session, user)
        return desk, mirror.id, api_password


@pytest.fixture
def app_desk(settings: Settings, any_db: Database) -> Iterator[AppDesk]:
    """The reader on loopback, for apps to sync with, on SQLite and on PostgreSQL."""
    desk, mirror_id, api_password = seed_accounts(any_db)
    settings = settings.with_overrides(database_url=any_db.url)
    with AppServer(create_app(settings, any_db)) as server:
        yield AppDesk(server.base_url, desk, mirror_id, api_password)
