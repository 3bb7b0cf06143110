"""The sample newsroom ingested end to end: no article is about more than three assets
unless it is a market round-up, and a passing mention puts no story on an asset's lists."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from wirebrief.demo.server import NewsroomServer
from wirebrief.pipeline import ingest_due
from wirebrief.settings import Settings
from wirebrief.storage import assets as asset_store
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, ArticleAsset

MOST_ABOUT = 3
ROUND_UP_MOVES = 4  # a round-up reports a move of its own for at least this many assets
_MOVE = re.compile(r"\d%|\d percent|[$€£]\d")
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")


@pytest.fixture(scope="module")
def newsroom() -> Iterator[NewsroomServer]:
    with NewsroomServer() as server:
        yield server


@pytest.fixture
def ingested(newsroom: NewsroomServer, settings: Settings, db: Database) -> Database:
    with db.session() as session:
        ids = [source_store.add_source(session, url, name).id for name, url in newsroom.feed_urls()]
    ingest_due(db, settings, ids)
    return db


def sentence_at(text: str, offset: int) -> str:
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    left = max((end for end in ends if end <= offset), default=0)
    right = min((end for end in ends if end > offset), default=len(text))
    return text[left:right]


def own_moves(article: Article, links: list[ArticleAsset]) -> int:
    """How many of these assets are named in a sentence of the text that gives a price or a
    percentage: the honest test of a round-up, read from the stored text alone."""
    moving = 0
    for link in links:
        sentences = [
            sentence_at(article.text, item["start"])
            for item in link.evidence or ()
            if item["field"] == "text"
        ]
        moving += any(_MOVE.search(sentence) for sentence in sentences)
    return moving


def test_no_article_is_about_more_than_three_assets_unless_it_is_a_round_up(
    ingested: Database,
) -> None:
    round_ups = []
    with ingested.session() as session:
        articles = list(session.scalars(select(Article).where(Article.hidden.is_(False))))
        assert len(articles) >= 20
        for article in articles:
            links = asset_store.linked_assets(session, article.id)
            about = [link for link in links if link.role == "about"]
            mentions = [link for link in links if link.role == "mention"]
            if about and mentions:  # every mention scores below every asset it is about
                assert min(x.score for x in about) > max(x.score for x in mentions), article.url
            if len(about) > MOST_ABOUT:
                moves = own_moves(article, about)
                assert moves >= ROUND_UP_MOVES, (article.title, [x.asset.symbol for x in about])
                round_ups.append(article.title)
    # the demo's one market wrap is the only article about more than three assets
    assert round_ups == ["S&P 500 Closes at Record Ahead of Thanksgiving as Chipmakers Rally"]


def test_the_market_wrap_is_not_a_story_about_bitcoin(ingested: Database) -> None:
    with ingested.session() as session:
        wrap = session.scalars(select(Article).where(Article.title.like("S&P 500 Closes%"))).one()
        roles = {x.asset.symbol: x.role for x in asset_store.linked_assets(session, wrap.id)}
        assert roles["SPX"] == "about" and roles["BTC"] == "mention"
        bitcoin = asset_store.find_asset(session, "BTC")
        assert bitcoin is not None
        about_bitcoin = asset_store.articles_about(session, bitcoin.id, limit=100)
        assert wrap.id not in {article.id for article, _ in about_bitcoin}
        assert about_bitcoin  # the demo's bitcoin stories are still there
        stories = story_store.list_stories(
            session, limit=100, where=story_store.about_assets("BTC")
        )
        assert wrap.story_id not in {story.id for story in stories}
        assert all(count >= 1 for count in asset_store.article_counts(session).values())
        assert asset_store.article_counts(session)["BTC"] == len(about_bitcoin)
