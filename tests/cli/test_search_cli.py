"""``wirebrief search``, ``wirebrief reindex`` and ``wirebrief alerts``, run as a user would."""

from __future__ import annotations

import json

from sqlalchemy import text

from tests.support.articles import add_article, add_filler
from tests.support.cli import run_cli
from tests.support.receiver import WebhookReceiver
from wirebrief.alerts.webhooks import SIGNATURE_HEADER, verify
from wirebrief.settings import Settings
from wirebrief.storage.db import Database


def test_search_prints_results_and_json_lines(settings: Settings, db: Database) -> None:
    with db.session() as session:
        add_filler(session)
        add_article(session, "Gold tops 5,000 dollars", "Central banks kept buying gold.")
    url = settings.database_url
    shown = run_cli("search", "gold", database_url=url)
    assert shown.returncode == 0, shown.stderr
    assert "Gold tops 5,000 dollars" in shown.stdout
    lines = run_cli("search", "gold", "--json", database_url=url).stdout.splitlines()
    assert json.loads(lines[0])["title"] == "Gold tops 5,000 dollars"
    bad = run_cli("search", '"gold', database_url=url)
    assert bad.returncode == 1 and "never closed" in bad.stderr and "Traceback" not in bad.stderr


def test_reindex_rebuilds_the_index(settings: Settings, db: Database) -> None:
    with db.session() as session:
        add_filler(session, 2)
        add_article(session, "Quebec data center", "Frostline opens a site.", index=False)
        session.execute(text("DELETE FROM search_fts"))
    rebuilt = run_cli("reindex", database_url=settings.database_url)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "3 articles" in rebuilt.stdout
    assert "Quebec" in run_cli("search", "frostline", database_url=settings.database_url).stdout


def test_alerts_add_list_deliver_log_remove(settings: Settings, db: Database) -> None:
    url = settings.database_url
    with WebhookReceiver() as receiver:
        added = run_cli("alerts", "add", "silver", "silver -rumour", "--webhook", receiver.hook_url,
                        "--secret", "abc", database_url=url)  # fmt: skip
        assert added.returncode == 0, added.stderr
        assert "/feeds/searches/1.rss" in added.stdout
        listed = json.loads(run_cli("alerts", "list", "--json", database_url=url).stdout)
        assert listed[0]["query"] == "silver -rumour" and listed[0]["webhooks"] == [
            receiver.hook_url
        ]
        with db.session() as session:
            add_filler(session)
            add_article(session, "Silver surges on solar demand", "Silver rose 4 percent.")
        delivered = run_cli("alerts", "deliver", database_url=url)
        assert delivered.returncode == 0, delivered.stderr
        assert "queued 1, delivered 1" in delivered.stdout
    (post,) = receiver.received
    assert verify("abc", post.body, post.headers[SIGNATURE_HEADER.lower()])
    log = run_cli("alerts", "log", database_url=url)
    assert "delivered" in log.stdout
    bad = run_cli("alerts", "add", "broken", '"silver', database_url=url)
    assert bad.returncode == 1 and "never closed" in bad.stderr
    hook = run_cli("alerts", "add", "x", "gold", "--webhook", "ftp://x", database_url=url)
    assert hook.returncode != 0 and "http(s)" in hook.stderr
    assert run_cli("alerts", "remove", "silver", database_url=url).returncode == 0
    assert json.loads(run_cli("alerts", "list", "--json", database_url=url).stdout) == []
    missing = run_cli("alerts", "remove", "silver", database_url=url)
    assert missing.returncode == 1 and "no saved search" in missing.stderr
