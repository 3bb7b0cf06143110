"""Story TLDRs, recomputed after commit.

Summarizing a story reads up to eight full texts (tens of milliseconds), so it stays out of
the write transaction of the article that joins the story: that transaction only marks the
story stale (``storage.stories.tldr_changed``). A round then reads the marked stories,
summarizes them where CPU work runs (the ingestor's process pool), and stores each TLDR
unless the story changed meanwhile, in which case it stays marked for the next round. The
ingestor runs a round every ``INTERVAL_S`` and once more when it closes; a mark survives a
crash, so the next run does what a killed one did not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wirebrief.storage import stories as story_store
from wirebrief.storage.models import Article, Story
from wirebrief.summarize import StoryArticle, Tldr, summarize_story
from wirebrief.times import utcnow

INTERVAL_S = 5.0  # a story's TLDR is recomputed at most once a round, rounds this far apart
MAX_STORY_SOURCES = 8  # a story TLDR reads this many write-ups at most
BATCH = 16  # stories read, summarized and saved together


@dataclass(frozen=True)
class StaleStory:
    """A story whose TLDR is stale, as read: its version and what its TLDR reads."""

    story_id: int
    version: datetime  # the story's updated_at: a later change makes the result stale too
    articles: tuple[StoryArticle, ...]


def read_stale(session: Session, marked_before: datetime, after_id: int = 0) -> list[StaleStory]:
    """Up to ``BATCH`` stories marked stale before ``marked_before``, by id after ``after_id``."""
    found = story_store.stale_tldrs(session, marked_before, after_id, BATCH)
    return [_read(session, story_id, version) for story_id, version in found]


def summarize(stale: StaleStory) -> Tldr | None:
    """The TLDR of a story with several originals (``None`` with fewer: the story then
    takes its one article's own, when saved). CPU only: runs in a worker process."""
    return summarize_story(stale.articles) if _several(stale) else None


def save(session: Session, stale: StaleStory, tldr: Tldr | None) -> bool:
    """Store a recomputed TLDR unless the story changed since it was read; True if stored."""
    if tldr is None:  # fewer than two originals now (a removal): the story takes its lead's
        story = session.get(Story, stale.story_id)
        if story is None or story.updated_at != stale.version:
            return False
        story_store.tldr_changed(session, story)
        return True
    columns = (tldr.headline, list(tldr.bullets), tldr.method)
    return story_store.save_tldr(session, stale.story_id, stale.version, columns)


async def catch_up(
    read: Callable[[datetime, int], Awaitable[list[StaleStory]]],
    cpu: Callable[..., Awaitable[Any]],
    write: Callable[[Sequence[StaleStory], Sequence[Tldr | None]], Awaitable[int]],
) -> int:
    """One round: every story marked stale before now, each once, in batches (``read``,
    then summarized concurrently by ``cpu(function, *args)``, then ``write`` saves the
    batch); returns how many were saved. The caller says where each part runs."""

    async def compute(stale: StaleStory) -> Tldr | None:
        return await cpu(summarize_story, stale.articles) if _several(stale) else None

    started, after_id, saved = utcnow(), 0, 0
    while batch := await read(started, after_id):
        tldrs = await asyncio.gather(*(compute(stale) for stale in batch))
        saved += await write(batch, tldrs)
        after_id = batch[-1].story_id
    return saved


def update_stories(session: Session, story_ids: Sequence[int]) -> None:
    """Bring these stories' TLDRs up to date now, in this transaction (an admin's removal:
    rare, and the reader should not show a removed article's bullets until the next round)."""
    for story_id in story_ids:
        story = session.get(Story, story_id)
        if story is None:
            continue
        story_store.tldr_changed(session, story)
        if story.tldr_stale_since is None:
            continue
        stale = _read(session, story_id, story.updated_at)
        save(session, stale, summarize(stale))


def stories_of(session: Session, article_ids: Sequence[int]) -> list[int]:
    """The stories these articles are in."""
    query = select(Article.story_id).where(Article.id.in_(article_ids)).distinct()
    return sorted(story_id for story_id in session.scalars(query) if story_id is not None)


def _several(stale: StaleStory) -> bool:
    return len(stale.articles) > 1


def _read(session: Session, story_id: int, version: datetime) -> StaleStory:
    originals = story_store.first_originals(session, story_id, MAX_STORY_SOURCES)
    articles = tuple(StoryArticle(_source_name(a), a.title, a.text) for a in originals)
    return StaleStory(story_id, version, articles)


def _source_name(article: Article) -> str:
    return article.source.name if article.source else article.site_name or article.url
