"""Story TLDRs after commit: the store stage marks, a round recomputes, nothing is lost.

The marks and rounds run on both engines; the sample newsroom, ingested end to end, ends
with every story's TLDR what summarizing its originals gives (the TLDR the store stage
used to compute inside each article's transaction).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.postgres import pg_db  # noqa: F401 (fixture)
from wirebrief import moderation
from wirebrief.demo.server import NewsroomServer
from wirebrief.pipeline import Ingestor, ingest_due
from wirebrief.pipeline.story_tldrs import StoryTldrRounds
from wirebrief.settings import Settings
from wirebrief.storage import sources as source_store
from wirebrief.storage import stories as story_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, Source, Story
from wirebrief.stories import tldr as story_tldr
from wirebrief.summarize import StoryArticle, summarize_story
from wirebrief.times import utcnow

# Two outlets' own write-ups of one (fictional) event, written for this test.
WRITE_UPS = {
    "Harbour Post": (
        "Ferry fares rise eight percent on island routes",
        "The harbour council voted on Tuesday to raise ferry fares by eight percent. "
        "The money pays for two new engines for the older vessel. Residents keep their "
        "discount cards. The timetable will not change this year.",
    ),
    "Island Courier": (
        "Council backs ferry fare increase",
        "Island residents face higher ferry fares after a council vote on Tuesday. "
        "Traders warned that hauliers would pass the cost on to shops. A consultation "
        "on freight tariffs opens next week and runs for six weeks.",
    ),
}
_hosts = count(1)


def _story_with_write_ups(db: Database, outlets: list[str]) -> int:
    """A story holding one original from each outlet, each joined as the store stage
    does (recount, then ``tldr_changed``); returns its id."""
    when = utcnow() - timedelta(hours=1)
    with db.session() as session:
        story = Story(headline="Ferry fares", first_seen_at=when, last_seen_at=when)
        session.add(story)
        session.flush()
        for outlet in outlets:
            n = next(_hosts)
            source = Source(name=outlet, url=f"https://{n}.example/feed.xml", kind="rss")
            title, text = WRITE_UPS[outlet]
            session.add(source)
            session.flush()
            article = Article(
                source_id=source.id, url=f"https://{n}.example/ferry", title=title, text=text,
                html=f"<p>{text}</p>", content_hash=f"{n:064x}", story_id=story.id,
                published_at=when + timedelta(minutes=n), tldr_headline=f"{outlet} headline",
                tldr_bullets=[f"{outlet} bullet"], tldr_method="extractive",
            )  # fmt: skip
            session.add(article)
            session.flush()
            story_store.refresh(session, story)
            story_store.tldr_changed(session, story)
        return story.id


def _story(db: Database, story_id: int) -> Story:
    with db.session() as session:
        return session.get_one(Story, story_id)


def _expected(outlets: list[str]) -> tuple[str, list[str]]:
    tldr = summarize_story([StoryArticle(o, *WRITE_UPS[o]) for o in outlets])
    return tldr.headline, list(tldr.bullets)


async def _in_thread(function: Any, *args: object) -> Any:
    return await asyncio.to_thread(function, *args)


def _round(db: Database) -> int:
    """One round as the ingestor runs it, with the CPU part and the write in threads."""
    return asyncio.run(StoryTldrRounds(db, _in_thread, _in_thread).round())


def test_one_original_lends_its_tldr_at_once_and_two_mark_the_story(any_db: Database) -> None:
    single = _story_with_write_ups(any_db, ["Harbour Post"])
    story = _story(any_db, single)
    assert story.tldr_stale_since is None
    assert (story.tldr_headline, story.tldr_bullets) == (
        "Harbour Post headline", ["Harbour Post bullet"]
    )  # fmt: skip

    both = _story_with_write_ups(any_db, ["Harbour Post", "Island Courier"])
    story = _story(any_db, both)
    assert story.tldr_stale_since is not None  # not summarized inside the transaction
    assert story.tldr_headline == "Harbour Post headline"  # the TLDR it had, until the round

    assert _round(any_db) == 1
    story = _story(any_db, both)
    assert story.tldr_stale_since is None
    assert (story.tldr_headline, story.tldr_bullets) == _expected(
        ["Harbour Post", "Island Courier"]
    )
    assert _round(any_db) == 0  # nothing is summarized twice


def test_a_story_changed_during_a_round_stays_marked(any_db: Database) -> None:
    story_id = _story_with_write_ups(any_db, ["Harbour Post", "Island Courier"])
    with any_db.session() as session:
        [stale] = story_tldr.read_stale(session, utcnow())
    tldr = story_tldr.summarize(stale)
    with any_db.session() as session:  # another article joins meanwhile: a recount
        story_store.refresh(session, session.get_one(Story, story_id))
    with any_db.session() as session:
        assert not story_tldr.save(session, stale, tldr)
    assert _story(any_db, story_id).tldr_stale_since is not None
    assert _round(any_db) == 1  # the next round reads it afresh
    assert _story(any_db, story_id).tldr_stale_since is None


@pytest.mark.parametrize(
    "stop", [RuntimeError("stop"), asyncio.CancelledError()], ids=["error", "signal"]
)
def test_marks_left_by_a_stopped_run_are_done_by_the_next(
    db: Database, settings: Settings, stop: BaseException
) -> None:
    """Stopped by an error, or by SIGINT/SIGTERM (which cancel the run, stopping.py): no
    last round, the mark stays in the database for the next run."""
    story_id = _story_with_write_ups(db, ["Harbour Post", "Island Courier"])

    async def run(finish: bool) -> None:
        ingestor = Ingestor(db, settings)
        await ingestor.__aenter__()
        if finish:
            await ingestor.__aexit__(None, None, None)
        else:
            await ingestor.__aexit__(type(stop), stop, None)

    asyncio.run(run(finish=False))
    assert _story(db, story_id).tldr_stale_since is not None
    asyncio.run(run(finish=True))
    story = _story(db, story_id)
    assert story.tldr_stale_since is None
    assert (story.tldr_headline, story.tldr_bullets) == _expected(
        ["Harbour Post", "Island Courier"]
    )


def test_a_removal_that_leaves_one_original_shows_its_tldr_at_once(db: Database) -> None:
    story_id = _story_with_write_ups(db, ["Harbour Post", "Island Courier"])
    _round(db)
    with db.session() as session:
        courier = session.scalars(select(Source).where(Source.name == "Island Courier")).one()
        moderation.block_source(session, courier.id, blocked=True)
    story = _story(db, story_id)
    assert story.tldr_stale_since is None
    assert (story.tldr_headline, story.tldr_bullets) == (
        "Harbour Post headline", ["Harbour Post bullet"]
    )  # fmt: skip
    with db.session() as session:  # back again: summarized again, in the same transaction
        moderation.block_source(session, courier.id, blocked=False)
    story = _story(db, story_id)
    assert story.tldr_stale_since is None
    assert (story.tldr_headline, story.tldr_bullets) == _expected(
        ["Harbour Post", "Island Courier"]
    )


@pytest.fixture(scope="module")
def newsroom() -> Iterator[NewsroomServer]:
    with NewsroomServer() as server:
        yield server


def test_an_ingest_ends_with_every_story_tldr_current(
    newsroom: NewsroomServer, db: Database, settings: Settings
) -> None:
    with db.session() as session:
        for name, feed_url in newsroom.feed_urls():
            source_store.add_source(session, feed_url, name=name)
    ingest_due(db, settings)
    with db.session() as session:
        stories = list(session.scalars(select(Story).where(Story.article_count > 0)))
        several = 0
        for story in stories:
            assert story.tldr_stale_since is None
            originals = story_store.first_originals(session, story.id, 8)
            if len(originals) == 1:
                lead = originals[0]
                assert story.tldr_headline == lead.tldr_headline
                assert story.tldr_bullets == lead.tldr_bullets
                continue
            several += 1
            expected = summarize_story(
                [(a.source.name if a.source else a.url, a.title, a.text) for a in originals]
            )
            assert (story.tldr_headline, story.tldr_bullets) == (
                expected.headline, list(expected.bullets)
            )  # fmt: skip
        assert several >= 2  # the newsroom has stories told by several outlets
