"""Related stories: computed at store time, never the article's own story, one per story."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.articles import add_article, add_filler, story
from tests.support.concurrency import second_waits_for_first
from wirebrief.search.related import SHOWN, STORED, related_for
from wirebrief.storage import related as related_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, ArticleTerm, RelatedArticle

SOLANA = (
    "Solana validators restarted the network after block production halted for five hours. "
    "Engineers traced the stall to a vote cache bug in the validator client."
)
KORVEX = (
    "The Korvex exchange said attackers drained its hot wallet of tokens worth millions. "
    "Korvex froze withdrawals while investigators traced the stolen funds on chain."
)


def related_ids(db: Database, article_id: int) -> list[int]:
    with db.session() as session:
        return [r.article.id for r in related_for(session, session.get(Article, article_id))]


def test_related_never_returns_the_own_story_nor_two_of_one_story(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        halt = story(session, "Solana halts")
        seen = add_article(session, "Solana block production halts", SOLANA, story_id=halt.id)
        same = add_article(
            session, "Solana stalls for five hours", SOLANA, story_id=halt.id, hours=1
        )
        postmortem = story(session, "Solana postmortem")
        pm1 = add_article(session, "Solana postmortem: the vote cache bug",
                          "The Solana validator vote cache bug explained.", story_id=postmortem.id,
                          hours=30)  # fmt: skip
        pm2 = add_article(session, "Why Solana halted: vote cache",
                          "Solana validators and the vote cache bug.", story_id=postmortem.id,
                          hours=31)  # fmt: skip
        near_copy = add_article(session, "Solana halts (syndicated)", SOLANA, duplicate_of=seen.id,
                                story_id=halt.id, hours=2)  # fmt: skip
        korvex = add_article(session, "Korvex hack", KORVEX, hours=3)
    for article in (seen, same, near_copy):
        found = related_ids(any_db, article.id)
        assert found, article.title
        assert not {seen.id, same.id, near_copy.id} & set(found)  # never its own story
        assert len({pm1.id, pm2.id} & set(found)) == 1  # one item per story
        assert korvex.id not in found  # nothing in common
    # The postmortem learned of the outage coverage when that coverage was stored later or
    # earlier: lists are kept both ways.
    assert set(related_ids(any_db, pm1.id)) & {seen.id, same.id, near_copy.id}


def test_shared_assets_count_and_hidden_articles_drop_out(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        base = add_article(session, "Bitcoin reclaims a record", "Bitcoin rose on inflows.",
                           assets=("BTC",))  # fmt: skip
        same_asset = add_article(session, "Pension fund buys funds", "A pension fund invested.",
                                 assets=("BTC",), hours=1)  # fmt: skip
        gone = add_article(session, "Bitcoin record, analysed", "Bitcoin rose on inflows again.",
                           hours=2)  # fmt: skip
    found = related_ids(any_db, base.id)
    assert same_asset.id in found and gone.id in found
    with any_db.session() as session:
        session.get(Article, gone.id).hidden = True
    assert gone.id not in related_ids(any_db, base.id)


def test_lists_are_bounded_and_stored(any_db: Database) -> None:
    with any_db.session() as session:
        add_filler(session)
        first = add_article(session, "Nvidia results beat estimates", "Nvidia data center sales.")
        for i in range(15):
            add_article(session, f"Nvidia chips note {i}", f"Nvidia data center chips, note {i}.",
                        hours=i + 1)  # fmt: skip
    with any_db.session() as session:
        assert len(related_for(session, session.get(Article, first.id))) == SHOWN
        stored = session.scalar(
            select(func.count())
            .select_from(RelatedArticle)
            .where(RelatedArticle.article_id == first.id)
        )
        assert stored == STORED
        assert session.scalar(select(func.count()).select_from(ArticleTerm)) > 0


def test_two_workers_rewriting_one_related_list_at_once_both_succeed(any_db: Database) -> None:
    """The race two PostgreSQL workers lost (``related_articles_pkey`` already exists): both
    write the same list before either commits; the second waits, then its scores hold."""
    with any_db.session() as session:
        add_filler(session, 3)
        first, second, third = session.scalars(select(Article.id).order_by(Article.id)).all()[:3]

    def write(scores: dict[int, float]) -> Callable[[Session], None]:
        def step(session: Session) -> None:
            related_store.save_related(session, {first: scores})
            related_store.save_terms(session, first, {11: 0.5, 12: 0.5})

        return step

    second_waits_for_first(any_db, write({second: 0.5}), write({second: 0.7, third: 0.2}))
    with any_db.session() as session:
        stored = related_store.related_scores(session, [first])[first]
        terms = session.scalar(select(func.count()).where(ArticleTerm.article_id == first))
    assert stored == {second: 0.7, third: 0.2}
    assert terms == 2
