"""The link_assets page stage and the stored links."""

from __future__ import annotations

import asyncio
import pickle

from wirebrief.markets.types import AssetSpec
from wirebrief.pipeline import (
    PAGE_STAGES,
    Ingestor,
    clean,
    link_assets,
    process_page,
    sanitize,
)
from wirebrief.settings import Settings
from wirebrief.storage import assets as asset_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

PAGE = """<!DOCTYPE html><html><head><title>Gold Tops $5,000 as Central Banks Buy</title></head>
<body><article><h1>Gold Tops $5,000 as Central Banks Buy</h1>
<p>Gold rose about 3% to $5,010 an ounce on Tuesday after data showed central banks bought
96 tonnes in October, led by Poland, India and Turkey. Silver followed, rising 2%.</p>
<p>The swimmer who won the gold medal last summer was not asked for comment. Analysts said
demand from central banks had become the steadiest source of buying in the market.</p>
<p>Acme Rockets shares, which track the metal closely, rose 4% in New York.</p>
</article></body></html>"""


def test_link_assets_runs_on_clean_text_before_sanitize() -> None:
    order = PAGE_STAGES.index
    assert order(clean) < order(link_assets) < order(sanitize) == len(PAGE_STAGES) - 1


def test_a_page_gets_its_assets_and_they_cross_process_boundaries(settings: Settings) -> None:
    draft = process_page(PAGE, "https://markets.example/gold", settings)
    assert [link.symbol for link in draft.asset_links] == ["XAU", "XAG"]
    portable = pickle.loads(pickle.dumps(draft.portable()))
    assert portable.asset_links == draft.asset_links


def test_ingested_articles_store_their_links_and_imported_assets_link(
    settings: Settings, db: Database
) -> None:
    acme = AssetSpec("ACME", "Acme Rockets", "stock", "NYSE", aliases=("Acme Rockets",))
    with db.session() as session:
        asset_store.import_assets(session, [acme])

    async def ingest(html: str) -> None:
        async with Ingestor(db, settings) as ingestor:
            page = ("https://markets.example/gold", html.encode(), "text/html", None)
            await ingestor.ingest_pages([page], None)

    asyncio.run(ingest(PAGE))
    with db.session() as session:
        article = session.query(Article).one()
        links = asset_store.linked_assets(session, article.id)
        # gold and silver lead the story; Acme Rockets comes up in its last line
        assert [(link.asset.symbol, link.role) for link in links] == [
            ("XAU", "about"), ("XAG", "about"), ("ACME", "mention"),
        ]  # fmt: skip
        assert links[0].evidence[0] == {
            "text": "Gold", "start": 0, "end": 4, "field": "title", "kind": "name_in_context",
        }  # fmt: skip
        rows = asset_store.articles_about(session, links[0].asset_id)
        assert [row[0].id for row in rows] == [article.id]
        assert asset_store.articles_about(session, links[2].asset_id) == []

    asyncio.run(ingest(PAGE.replace("Silver followed, rising 2%.", "")))
    with db.session() as session:
        article = session.query(Article).one()
        symbols = [link.asset.symbol for link in asset_store.linked_assets(session, article.id)]
        assert symbols == ["XAU", "ACME"]
