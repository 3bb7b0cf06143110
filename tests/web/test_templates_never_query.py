"""Routes gather what a page shows; templates only render it (issue 19). Every statement the
app sends to the database while a Jinja template renders is a query hidden from the route
(a Jinja global, a lazy relationship): each public page is rendered here with a listener on
the app's engine that records them."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import jinja2
import pytest
from sqlalchemy import event, select

from tests.support.appserver import AppServer
from tests.support.desk import Desk, build_desk
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Asset, Source, Story
from wirebrief.web.app import create_app

_rendering = threading.local()


@pytest.fixture
def queries_while_rendering(
    monkeypatch: pytest.MonkeyPatch, any_db: Database
) -> Iterator[list[str]]:
    """The statements sent while a template renders (in the thread that renders it)."""
    seen: list[str] = []
    render = jinja2.Template.render

    def rendering(template: jinja2.Template, *args: object, **kwargs: object) -> str:
        _rendering.template = template.name
        try:
            return render(template, *args, **kwargs)
        finally:
            _rendering.template = None

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if getattr(_rendering, "template", None):
            seen.append(f"{_rendering.template}: {' '.join(statement.split())[:200]}")

    monkeypatch.setattr(jinja2.Template, "render", rendering)
    event.listen(any_db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(any_db.engine, "before_cursor_execute", record)


def public_paths(db: Database, desk: Desk) -> list[str]:
    """Every public page of the desk: home, sources, each article, story, source and asset,
    a search with results."""
    with db.session() as session:
        articles = session.scalars(select(Article.id).where(Article.hidden.is_(False))).all()
        stories = session.scalars(select(Story.id).where(Story.article_count > 0)).all()
        sources = session.scalars(select(Source.id)).all()
        assets = session.scalars(select(Asset.symbol)).all()
    return [
        "/",
        "/?topic=crypto",
        "/sources",
        "/search?q=korvex",
        *(f"/articles/{i}" for i in articles),
        *(f"/stories/{i}" for i in stories),
        *(f"/sources/{i}" for i in sources),
        *(f"/?source={i}" for i in sources),
        *(f"/assets/{s}" for s in assets),
    ]


def test_public_pages_render_without_a_query(
    settings: Settings, any_db: Database, queries_while_rendering: list[str]
) -> None:
    desk = build_desk(any_db)
    paths = public_paths(any_db, desk)
    assert f"/articles/{desk.original_id}" in paths and "/assets/BTC" in paths
    app = create_app(settings.with_overrides(database_url=any_db.url), any_db)
    with AppServer(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        for path in paths:
            answer = client.get(path)
            assert answer.status_code == 200, path
        original = client.get(f"/articles/{desk.original_id}").text
    assert "You May Also Like" in original  # the related stories, gathered by the route
    assert "Markets in this story" in original  # the market widget, gathered by the route
    assert queries_while_rendering == [], "\n".join(queries_while_rendering)
