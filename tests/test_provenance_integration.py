"""The sample newsroom end to end: origins, repost chains and the authors' TLDRs (issue 4)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from wirebrief.demo.server import NewsroomServer
from wirebrief.demo.site import load_newsroom
from wirebrief.extract.provenance import Origin
from wirebrief.pipeline import ingest_due, process_page
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

ROOM = load_newsroom()
BY_KEY = {article.key: article for article in ROOM.articles}
CHROME = ("TLDR", "Key points", "appeared first on", "Market Opportunity", "Live Price Chart",
          "Disclaimer:", "You May Also Like", "We use cookies")  # fmt: skip


@pytest.fixture(scope="module")
def newsroom() -> Iterator[NewsroomServer]:
    with NewsroomServer() as server:
        yield server


@pytest.fixture
def stored(newsroom: NewsroomServer, settings: Settings, db: Database) -> dict[str, Article]:
    """Every article row after one poll of the whole newsroom, by URL path."""
    with db.session() as session:
        ids = [source_store.add_source(session, url, name).id for name, url in newsroom.feed_urls()]
    ingest_due(db, settings, ids)
    with db.session() as session:
        rows = list(session.scalars(select(Article)))
        session.expunge_all()
    return {row.url.removeprefix(newsroom.base_url): row for row in rows}


def page(newsroom: NewsroomServer, key: str):
    """process_page on one article page, fetched from the newsroom like any page."""
    url = newsroom.base_url + BY_KEY[key].path
    return process_page(httpx.get(url).content, url, Settings())


def test_stored_articles_carry_the_authors_tldr_and_no_chrome(stored: dict[str, Article]) -> None:
    # Copies collapse into one row (which copy's page fills it depends on arrival order),
    # so a row's TLDR is the one of some page of the newsroom, never one made up.
    tldrs = [article.tldr for article in ROOM.articles if article.tldr]
    with_tldr = [row for row in stored.values() if row.author_tldr is not None]
    assert len(with_tldr) >= 4
    assert all(row.author_tldr in tldrs for row in with_tldr)
    for path, row in stored.items():
        for chrome in CHROME:
            assert chrome not in row.text, (path, chrome)


def test_stored_reposts_name_the_end_of_their_chain(stored: dict[str, Article]) -> None:
    reposts = [row for row in stored.values() if row.origin_chain]
    assert reposts
    for row in reposts:
        assert row.origin_name == row.origin_chain[-1]["name"]
        assert row.origin_url == row.origin_chain[-1]["url"]
    originals = [row for row in stored.values() if not row.origin_chain]
    assert all(row.origin_name is None for row in originals)


def test_repost_of_a_repost_names_the_copy_it_took(newsroom: NewsroomServer) -> None:
    """Chainwire copied Coin Relay, which copied Ledger Lantern: each page names its source."""
    base = newsroom.base_url
    middle = BY_KEY["coin-relay/korvex-hack-41m-drained"]
    first = BY_KEY["ledger-lantern/korvex-exchange-hot-wallet-drained"]

    chainwire = page(newsroom, "chainwire-digest/korvex-breach-what-we-know")
    assert chainwire.origin_chain == [Origin("Coin Relay", base + middle.path)]
    coin_relay = page(newsroom, "coin-relay/korvex-hack-41m-drained")
    assert coin_relay.origin_chain == [Origin("Ledger Lantern", base + first.path)]
    assert page(newsroom, "ledger-lantern/korvex-exchange-hot-wallet-drained").origin_chain == []

    # The TLDR travelled with the copies, and is taken out of each of them.
    for draft in (chainwire, coin_relay):
        assert draft.author_tldr == first.tldr
        assert "TLDR" not in draft.text


def test_key_points_heading_is_a_tldr_too(newsroom: NewsroomServer) -> None:
    harbor = [a for a in ROOM.articles if a.pub.slug == "harbor-street" and a.tldr]
    assert harbor and harbor[0].pub.tldr_label == "Key points"
    draft = page(newsroom, harbor[0].key)
    assert draft.author_tldr == harbor[0].tldr
    assert "Key points" not in draft.text
