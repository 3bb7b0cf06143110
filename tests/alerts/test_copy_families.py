"""Alerts over copy families: a family alerts once, and a later copy never alerts again.

Pages go through the real store stage (copies collapse, stories group, the search index is
written), with an alerts pass after every page, in every arrival order of a family of four:
an origin, an exact copy on another site, a trimmed copy naming the origin, and a copy of
that copy dated before the origin.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from itertools import permutations
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.copies import ORCHARD, article, draft_of, footer
from tests.support.receiver import WebhookReceiver
from wirebrief.alerts.runner import queue_matches, run_alerts
from wirebrief.article import ArticleDraft
from wirebrief.extract.provenance import Origin
from wirebrief.pipeline import store_article
from wirebrief.settings import Settings
from wirebrief.storage import alerts as alert_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import AlertDelivery, Article
from wirebrief.times import utcnow

TEXT = article(61)
QUERY = TEXT[0].split()[1]  # a word every member's text has
ORIGIN = "https://orchard.example/fares"
SIGNAL = Origin("Signal", "https://signal.example/trimmed")


@pytest.fixture(scope="module")
def family() -> dict[str, ArticleDraft]:
    """The four members, through the text stages once."""
    settings = Settings(database_url="sqlite://", extract_workers=0)
    return {
        ORIGIN: draft_of(settings, ORIGIN, TEXT, hours=0.0),
        "https://ledger.example/verbatim": draft_of(
            settings, "https://ledger.example/verbatim", TEXT, hours=3.0, title="Fares up 8%"
        ),
        "https://signal.example/trimmed": draft_of(
            settings, "https://signal.example/trimmed", [*TEXT[:6], footer("Orchard")],
            hours=2.0, chain=[ORCHARD], title="Island ferries cost more",
        ),
        "https://summit.example/via-signal": draft_of(
            settings, "https://summit.example/via-signal", [*TEXT[:6], footer("Orchard")],
            hours=-1.0, chain=[SIGNAL, ORCHARD], title="Fares: what changes",
        ),
    }  # fmt: skip


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file to copy for each order."""
    path = tmp_path_factory.mktemp("alerts") / "template.db"
    migrated = Database(f"sqlite:///{path}")
    migrated.upgrade()
    migrated.dispose()
    return path


def _watch(db: Database, url: str = "http://127.0.0.1:9/hook") -> None:
    with db.session() as session:
        saved = alert_store.add_saved_search(session, "fares", QUERY)
        alert_store.add_webhook(session, saved, url, "secret")


def _store(db: Database, draft: ArticleDraft) -> None:
    with db.session() as session:
        store_article(session, draft)


def _delivered_urls(db: Database) -> list[str]:
    with db.session() as session:
        query = select(Article.url).join(AlertDelivery, AlertDelivery.article_id == Article.id)
        return list(session.scalars(query.order_by(AlertDelivery.id)))


def test_a_family_alerts_once_in_every_arrival_order(
    family: dict[str, ArticleDraft], template: Path, tmp_path: Path
) -> None:
    for n, order in enumerate(permutations(family)):
        path = tmp_path / f"order-{n}.db"
        shutil.copy(template, path)
        db = Database(f"sqlite:///{path}")
        _watch(db)
        queued = []
        for url in order:
            _store(db, family[url])
            queued.append(queue_matches(db, utcnow()))
        assert queued == [1, 0, 0, 0], f"arrival order {order} queued {queued}"
        assert _delivered_urls(db) == [order[0]]  # the family as it stood then
        db.dispose()


def test_a_copy_of_an_article_stored_before_the_search_was_saved_never_alerts(
    family: dict[str, ArticleDraft], template: Path, tmp_path: Path
) -> None:
    for n, (first, *later) in enumerate(permutations(family)):
        path = tmp_path / f"order-{n}.db"
        shutil.copy(template, path)
        db = Database(f"sqlite:///{path}")
        _store(db, family[first])
        _watch(db)  # the family is old news to this search
        for url in later:
            _store(db, family[url])
            assert queue_matches(db, utcnow()) == 0, f"{url} after {first} alerted"
        db.dispose()


def test_the_origin_arriving_after_its_alerted_copy_is_not_posted_again(
    family: dict[str, ArticleDraft], settings: Settings, db: Database
) -> None:
    with WebhookReceiver() as receiver:
        _watch(db, receiver.hook_url)
        for url in ("https://signal.example/trimmed", ORIGIN, "https://ledger.example/verbatim"):
            _store(db, family[url])
            asyncio.run(run_alerts(db, settings))
    (received,) = receiver.received
    assert json.loads(received.body)["article"]["url"] == "https://signal.example/trimmed"
