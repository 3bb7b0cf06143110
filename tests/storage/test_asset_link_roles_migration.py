"""Migration 0012 on a database with links in it: each stored link becomes *about* or a
*mention* from what was stored with it, on SQLite and PostgreSQL, and back again."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from wirebrief.storage import assets as asset_store
from wirebrief.storage.db import Database, _alembic_config

TEXT = (
    "Ford Motor is recalling about 310,000 pickup trucks because a rear axle bolt can "
    "loosen, the company said on Thursday.\n\n"
    "Dealers will replace the bolt free of charge. The company knew of four crashes.\n\n"
    "Unlike rivals such as Tesla and General Motors, Ford cannot fix this one over the air. "
    "Bitcoin miners were not involved; bitcoin fell. bitcoin, bitcoin."
)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
REVISION = "0012"


def evidence(text: str, field: str = "text", kind: str = "name") -> dict[str, Any]:
    start = TEXT.index(text) if field == "text" else 0
    return {"text": text, "start": start, "end": start + len(text), "field": field, "kind": kind}


def insert(connection: sa.Connection, table: sa.Table, **values: Any) -> int:
    """Insert a row with ``values``, filling other required columns as the app would."""
    for column in table.columns:
        if column.name in values or column.nullable or column.server_default is not None:
            continue
        if column.primary_key:
            continue
        python_type = column.type.python_type
        values[column.name] = {
            int: 0, float: 0.0, bool: False, str: "", datetime: NOW,
        }.get(python_type)  # fmt: skip
    return connection.execute(table.insert().values(**values)).inserted_primary_key[0]


def test_links_stored_before_become_about_or_mentions(any_db: Database) -> None:
    config = _alembic_config(any_db.url)
    previous = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
    assert isinstance(previous, str)
    command.downgrade(config, previous)
    with any_db.engine.begin() as connection:
        tables = sa.MetaData()
        tables.reflect(connection, only=["sources", "articles", "assets", "article_assets"])
        links = tables.tables["article_assets"]
        assert "role" not in links.columns
        source = insert(connection, tables.tables["sources"], url="https://a.example/f", name="A")
        article = insert(
            connection, tables.tables["articles"], source_id=source, url="https://a.example/1",
            title="Ford Recalls 310,000 Pickups", text=TEXT, html="<p></p>",
        )  # fmt: skip
        assets = {
            symbol: insert(connection, tables.tables["assets"], symbol=symbol, name=symbol,
                           kind="stock")
            for symbol in ("F", "TSLA", "GM", "BTC", "MSFT", "NVDA")
        }  # fmt: skip
        stored = {
            # named in the headline
            "F": (0.83, [evidence("Ford", "title"), evidence("Ford Motor")]),
            # named once each, late and in passing
            "TSLA": (0.39, [evidence("Tesla")]),
            "GM": (0.39, [evidence("General Motors")]),
            # named three times: discussed
            "BTC": (0.6, [evidence("Bitcoin"), evidence("bitcoin fell"), evidence("bitcoin,")]),
            # in the lead (its first paragraph)
            "MSFT": (0.39, [evidence("pickup trucks")]),
            # only to place a person, in the headline: not a subject
            "NVDA": (0.1, [evidence("Ford", "title", "role")]),
        }
        for symbol, (score, items) in stored.items():
            insert(connection, links, article_id=article, asset_id=assets[symbol], score=score,
                   evidence=items)  # fmt: skip

    command.upgrade(config, "head")
    with any_db.engine.connect() as connection:
        rows = connection.execute(
            sa.text(
                "SELECT assets.symbol, article_assets.role, article_assets.score "
                "FROM article_assets JOIN assets ON assets.id = article_assets.asset_id"
            )
        ).all()
    found = {symbol: (role, round(score, 3)) for symbol, role, score in rows}
    assert found == {
        "F": ("about", 0.83), "BTC": ("about", 0.6), "MSFT": ("about", 0.39),
        "TSLA": ("mention", 0.195), "GM": ("mention", 0.195), "NVDA": ("mention", 0.05),
    }  # fmt: skip
    with any_db.session() as session:
        tesla = asset_store.find_asset(session, "TSLA")
        ford = asset_store.find_asset(session, "F")
        assert tesla is not None and ford is not None
        assert asset_store.articles_about(session, tesla.id) == []
        assert [article.title for article, _ in asset_store.articles_about(session, ford.id)] == [
            "Ford Recalls 310,000 Pickups"
        ]
        assert asset_store.article_counts(session) == {"F": 1, "BTC": 1, "MSFT": 1}

    command.downgrade(config, previous)  # back: every link is a link again, none lost
    with any_db.engine.connect() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM article_assets")) == 6
    command.upgrade(config, "head")
    assert any_db.is_current()
