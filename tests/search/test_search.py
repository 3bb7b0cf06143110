"""Search behaves the same on SQLite (FTS5) and PostgreSQL (full-text search)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.support.articles import START, add_article, add_filler, story
from wirebrief.errors import SearchQueryError
from wirebrief.search.backend import SearchFilters
from wirebrief.search.indexing import index_article
from wirebrief.search.service import search
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database


def ids(db: Database, query: str, filters: SearchFilters | None = None, **options) -> list[int]:
    with db.session() as session:
        return [r.article.id for r in search(session, query, filters, **options).results]


def test_a_title_match_outranks_a_passing_mention(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        passing = add_article(
            session, "Quarterly shipping volumes rise",
            "Container traffic grew in the autumn. Ports handled more cargo than last year, "
            "and one analyst briefly mentioned stablecoins before moving on to freight rates.",
            hours=1,
        )  # fmt: skip
        titled = add_article(
            session, "Stablecoins face new reserve rules",
            "Regulators published rules for issuers, covering audits and redemption windows.",
        )  # fmt: skip
    assert ids(any_db, "stablecoins") == [titled.id, passing.id]
    assert ids(any_db, "stablecoins", sort="time") == [passing.id, titled.id]


def test_phrases_prefixes_exclusions_and_or(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        spot = add_article(session, "Spot ETF approved", "The spot bitcoin ETF starts trading.")
        futures = add_article(session, "Futures ETF", "A bitcoin futures fund, not a spot one.")
        gold = add_article(session, "Gold climbs", "Gold rose as the regulator spoke.")
    assert set(ids(any_db, '"spot bitcoin"')) == {spot.id}
    assert set(ids(any_db, "bitcoin")) == {spot.id, futures.id}
    assert set(ids(any_db, "bitcoin -futures")) == {spot.id}
    assert set(ids(any_db, "regul*")) == {gold.id}
    assert set(ids(any_db, "gold OR futures")) == {gold.id, futures.id}
    assert ids(any_db, "bitcoin gold") == []


def test_filters_by_source_asset_language_and_dates(any_db: Database) -> None:
    with any_db.session() as session:
        wire = source_store.add_source(session, "https://wire.example/feed", "Wire")
        desk = source_store.add_source(session, "https://desk.example/feed", "Desk")
        add_filler(session)
        a = add_article(session, "Ether upgrade", "Ether upgrade ships.", source_id=wire.id,
                        assets=("ETH",), hours=0)  # fmt: skip
        b = add_article(session, "Ether falls", "Ether falls after upgrade.", source_id=desk.id,
                        assets=("ETH", "BTC"), hours=30, lang="en-GB")  # fmt: skip
        c = add_article(session, "Ether en español", "Ether upgrade hoy.", source_id=desk.id,
                        hours=60, lang="es")  # fmt: skip
    assert set(ids(any_db, "ether")) == {a.id, b.id, c.id}
    assert set(ids(any_db, "ether", SearchFilters(sources=(desk.id,)))) == {b.id, c.id}
    assert set(ids(any_db, "ether", SearchFilters(sources=(wire.id, desk.id)))) == {
        a.id,
        b.id,
        c.id,
    }
    assert set(ids(any_db, "ether", SearchFilters(assets=("btc",)))) == {b.id}
    assert set(ids(any_db, "ether", SearchFilters(assets=("ETH",)))) == {a.id, b.id}
    assert set(ids(any_db, "ether", SearchFilters(lang="en"))) == {a.id, b.id}
    assert set(ids(any_db, "ether", SearchFilters(since=START + timedelta(hours=1)))) == {
        b.id,
        c.id,
    }
    window = SearchFilters(since=START + timedelta(hours=1), until=START + timedelta(hours=31))
    assert ids(any_db, "ether", window) == [b.id]
    # No words, only filters: newest first.
    assert ids(any_db, "", SearchFilters(assets=("ETH",))) == [b.id, a.id]


def test_copies_and_story_members_collapse_into_one_result(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        event = story(session)
        origin = add_article(session, "Korvex hack drains hot wallet", "Korvex lost funds.",
                             story_id=event.id, hours=0)  # fmt: skip
        add_article(session, "Korvex hack: a copy", "Korvex lost funds, a copy says.",
                    story_id=event.id, duplicate_of=origin.id, hours=1)  # fmt: skip
        add_article(session, "Korvex responds to hack", "Korvex promises refunds.",
                    story_id=event.id, hours=2)  # fmt: skip
        unstoried = add_article(session, "Korvex hack, reposted", "Korvex lost funds again.")
        add_article(session, "Korvex hack, repost of a repost", "Korvex lost funds.",
                    duplicate_of=unstoried.id)  # fmt: skip
        other = add_article(session, "Another Korvex story", "Korvex lists a token.", hours=-50)
    with any_db.session() as session:
        page = search(session, "korvex")
        stories = [
            r.article.story_id or -(r.article.duplicate_of or r.article.id) for r in page.results
        ]
    assert len(page.results) == 3 and len(set(stories)) == 3
    assert other.id in {r.article.id for r in page.results}


def test_hidden_articles_never_show(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        shown = add_article(session, "Tidepool halts withdrawals", "Tidepool paused them.")
        removed = add_article(session, "Tidepool exploit details", "Tidepool was exploited.")
    with any_db.session() as session:
        session.get(type(removed), removed.id).hidden = True
    # Even before the index hears of it (a writer that forgot to re-index), it never shows.
    assert ids(any_db, "tidepool") == [shown.id]
    with any_db.session() as session:
        index_article(session, session.get(type(removed), removed.id))
    assert ids(any_db, "tidepool") == [shown.id]


def test_updated_text_is_searchable_and_old_text_is_gone(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        article = add_article(session, "Draft headline", "Early text about meridian.")
    with any_db.session() as session:
        stored = session.get(type(article), article.id)
        stored.text, stored.tldr_bullets = "Final text about lanterns.", ["Glasswing date set"]
        index_article(session, stored)
    assert ids(any_db, "lanterns") == [article.id]
    assert ids(any_db, "glasswing") == [article.id]  # the TLDR is searched too
    assert ids(any_db, "meridian") == []


def test_snippets_escape_article_text_and_mark_matches(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        add_article(session, "Ledger <script>alert(1)</script> news",
                    'Before. The <img src=x onerror=alert(1)> ledger "audit" & more. After.')  # fmt: skip
    with any_db.session() as session:
        (result,) = search(session, "ledger").results
    assert "<script>" not in result.title_html and "&lt;script&gt;" in result.title_html
    assert "<mark>Ledger</mark>" in result.title_html
    assert "<img" not in result.snippet_html and "&lt;img" in result.snippet_html
    assert "<mark>ledger</mark>" in result.snippet_html
    assert result.snippet_html.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_paging_and_bad_sort(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        made = [
            add_article(session, f"Solana outage {i}", "Solana stalled.", hours=i) for i in range(5)
        ]
    first = ids(any_db, "solana", sort="time", limit=2)
    with any_db.session() as session:
        page = search(session, "solana", sort="time", limit=2, offset=4)
    assert first == [made[4].id, made[3].id]
    assert [r.article.id for r in page.results] == [made[0].id] and not page.has_more
    with pytest.raises(SearchQueryError, match="sort must be"), any_db.session() as session:
        search(session, "solana", sort="best")
    with pytest.raises(SearchQueryError, match="choose a filter"), any_db.session() as session:
        search(session, "")


def test_sqlite_index_is_outside_the_models_and_rebuilds(db: Database) -> None:
    from wirebrief.search.sqlite_fts import SqliteFtsBackend

    with db.session() as session:
        add_filler(session, 3)
        add_article(session, "Frostline miner", "Frostline hosts AI.", index=False)
        assert ids(db, "frostline") == []
        assert SqliteFtsBackend().rebuild(session) == 4
    assert len(ids(db, "frostline")) == 1
    with db.session() as session:
        tables = set(session.scalars(text("SELECT name FROM sqlite_master WHERE type='table'")))
    assert "search_fts" in tables


def test_sqlite_ranks_very_common_queries_by_title_matches(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wirebrief.search import sqlite_fts

    monkeypatch.setattr(sqlite_fts, "BM25_MAX_MATCHES", 2)  # as if "markets" were everywhere
    with db.session() as session:
        add_filler(session)
        mention = add_article(session, "Ports are busy", "Shipping and markets.", hours=3)
        titled = add_article(session, "Markets rally", "Stocks rose.", hours=1)
        twice = add_article(session, "Markets, markets everywhere", "Stocks fell.", hours=0)
    assert ids(db, "markets") == [twice.id, titled.id, mention.id]
    assert ids(db, "markets", sort="time") == [mention.id, titled.id, twice.id]
