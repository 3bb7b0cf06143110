"""Page-stage workers get what they need handed in; they never open the database."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from wirebrief.markets.types import AssetSpec
from wirebrief.pipeline import Ingestor, ingestor
from wirebrief.settings import Settings
from wirebrief.storage import assets as asset_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

PAGE = """<!DOCTYPE html><html><head><title>{title}</title></head><body><article>
<h1>{title}</h1><p>Acme Rockets shares rose 4% in New York on Tuesday after the company
said it had won a contract to launch twelve weather satellites over the next three years.</p>
<p>Analysts said the deal would lift revenue next year, and traders bought the shares
through the afternoon as the broader market fell.</p></article></body></html>"""


def test_a_page_stage_worker_loads_neither_the_database_nor_the_web() -> None:
    probe = (
        "import sys, wirebrief.pipeline.worker; "
        "print(sorted(m for m in ('sqlalchemy', 'fastapi', 'jinja2', 'wirebrief.storage', "
        "'wirebrief.pipeline.ingestor', 'wirebrief.web') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert loaded.stdout.strip() == "[]"


def test_pool_workers_link_assets_imported_while_the_ingestor_runs(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    pooled = settings.with_overrides(extract_workers=1)
    acme = AssetSpec("ACME", "Acme Rockets", "stock", "NYSE", aliases=("Acme Rockets",))

    def linked(url: str) -> list[str]:
        with db.session() as session:
            article = session.query(Article).filter_by(url=url).one()
            return [link.asset.symbol for link in asset_store.linked_assets(session, article.id)]

    async def run() -> None:
        async with Ingestor(db, pooled) as running:
            page = PAGE.format(title="Acme Rockets wins satellite contract").encode()
            await running.ingest_pages([("https://wire.example/1", page, "text/html", None)], None)
            assert "ACME" not in linked("https://wire.example/1")
            with db.session() as session:
                asset_store.import_assets(session, [acme])
            monkeypatch.setattr(ingestor, "ASSETS_REFRESH_S", 0.0)  # the minute has passed
            page = PAGE.format(title="Acme Rockets lifts its forecast").encode()
            await running.ingest_pages([("https://wire.example/2", page, "text/html", None)], None)
            assert "ACME" in linked("https://wire.example/2")

    asyncio.run(run())
