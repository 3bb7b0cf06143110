"""At --verbose (INFO) every pipeline log line names the source, the URL, the stage and
what happened, so an operator can follow one entry."""

from __future__ import annotations

import logging

import pytest

from tests.support.httpserver import FixtureServer, Route
from wirebrief.pipeline import ingest_due
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database

PAGE = b"""<!DOCTYPE html><html><head><title>Harbour reopens</title></head><body><article>
<h1>Harbour reopens</h1><p>The harbour reopened on Monday after a week of repairs to the
north quay, and the first ferries left on time in the morning.</p><p>Traders said the
closure had cost them a week of deliveries, and the port authority promised a review.</p>
</article></body></html>"""


def test_each_entry_is_logged_with_source_url_stage_and_outcome(
    settings: Settings, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    routes: dict[str, Route] = {"/harbour": Route(PAGE)}
    with FixtureServer(routes) as server:
        items = "".join(
            f"<item><title>{name}</title><link>{server.url('/' + name)}</link></item>"
            for name in ("harbour", "gone")
        )
        routes["/feed.xml"] = Route(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<link>{server.base_url}</link><description>d</description>{items}</channel></rss>".encode(),
            content_type="application/rss+xml",
        )
        with db.session() as session:
            source_id = source_store.add_source(session, server.url("/feed.xml"), "Wire").id
        with caplog.at_level(logging.INFO, logger="wirebrief.pipeline"):
            ingest_due(db, settings, [source_id])

    lines = [r.getMessage() for r in caplog.records if r.name.startswith("wirebrief.pipeline")]
    feed, harbour, gone = (server.url(p) for p in ("/feed.xml", "/harbour", "/gone"))
    assert any(
        line.startswith(f"source polled source_id={source_id} url={feed} status=ok listed=2")
        for line in lines
    ), lines
    assert f"page stored source_id={source_id} url={harbour} outcome=new" in lines
    assert any(
        line.startswith(
            f"page failed source_id={source_id} url={gone} stage=fetch_page reason=http_error:"
        )
        for line in lines
    ), lines
