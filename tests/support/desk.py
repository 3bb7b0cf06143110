"""A small newsroom in the database for reader tests: stories, a near copy, TLDRs, an asset."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from tests.support.articles import add_article, add_filler, story
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Story

KORVEX = (
    "Korvex exchange paused withdrawals on Tuesday after auditors found a gap in its reserves. "
    "The Korvex token fell sharply as traders moved bitcoin off the platform. "
    "Regulators in two countries said they were looking at the Korvex accounts."
)


@dataclass(frozen=True)
class Desk:
    """Ids of what :func:`build_desk` stored."""

    source_id: int
    copier_id: int
    original_id: int
    copy_id: int
    other_id: int
    story_id: int


def build_desk(db: Database) -> Desk:
    """Two sources; a Korvex story (original with TLDR and BTC link, plus a near copy on
    another site); a second Korvex story (its related article); filler stories."""
    with db.session() as session:
        wire = source_store.add_source(session, "https://orchard.example/feed.xml", "Orchard Wire")
        copier = source_store.add_source(session, "https://copycat.example/rss", "Copycat Daily")
        main = story(session, "Korvex halts withdrawals")
        original = add_article(
            session, "Korvex halts withdrawals", KORVEX, hours=2, assets=("BTC",),
            source_id=wire.id, url="https://orchard.example/korvex-halts", story_id=main.id,
            tldr_headline="Korvex paused withdrawals after a reserve gap.",
            tldr_bullets=["Korvex paused withdrawals.", "Its token fell sharply."],
            tldr_method="author", reading_minutes=2, site_name="Orchard Wire",
        )  # fmt: skip
        copy = add_article(
            session, "Korvex halts withdrawals (repost)", KORVEX + " Copied.", hours=3,
            source_id=copier.id, url="https://copycat.example/korvex", story_id=main.id,
            duplicate_of=original.id, origin_name="Orchard Wire", origin_url=original.url,
            content_hash="c" * 64, site_name="Copycat Daily",
        )  # fmt: skip
        second = story(session, "Korvex customers queue")
        other = add_article(
            session, "Korvex customers queue for refunds",
            "Korvex customers queued for refunds as the exchange kept withdrawals paused. "
            "Bitcoin traders said the Korvex token had lost most of its value.",
            hours=4, assets=("BTC",), source_id=wire.id, story_id=second.id, reading_minutes=1,
        )  # fmt: skip
        add_filler(session, 4)
        _refresh_all(session)
        return Desk(wire.id, copier.id, original.id, copy.id, other.id, main.id)


def _refresh_all(session: Session) -> None:
    for found in session.query(Story).all():
        story_store.refresh(session, found)
    for article in session.query(Article).filter(Article.story_id.is_(None)):
        own = story(session, article.title)
        article.story_id = own.id
        story_store.refresh(session, own)
