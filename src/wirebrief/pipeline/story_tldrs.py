"""After commit: story TLDRs, recomputed in rounds while the ingestor runs.

The store stage marks a story whose originals changed (``storage.stories.tldr_changed``);
here a round every ``stories.tldr.INTERVAL_S`` (and one when the ingestor closes) reads the
marked stories, summarizes them in the page-stage process pool and saves them through the
ingestor's write lock. Marks left by a killed run, or by a removal in the reader, are
picked up by the next round of any ingestor on the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from wirebrief.storage.db import Database
from wirebrief.stories import tldr as story_tldr
from wirebrief.stories.tldr import StaleStory
from wirebrief.summarize import Tldr

log = logging.getLogger(__name__)


class StoryTldrRounds:
    """Keeps story TLDRs current: ``start()`` with the ingestor, ``close()`` with it."""

    def __init__(
        self,
        db: Database,
        cpu: Callable[..., Awaitable[Any]],
        write: Callable[..., Awaitable[Any]],
        interval_s: float = story_tldr.INTERVAL_S,
    ) -> None:
        self.db = db
        self._cpu = cpu  # runs CPU work where the page stages run
        self._write = write  # runs a database write under the ingestor's write lock
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._every_interval())

    async def close(self, finish: bool = True) -> None:
        """Stop the rounds; with ``finish``, one last round, so a run ends with current
        TLDRs (a run stopped by an error or a signal leaves its marks to the next)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if finish:
            await self.round()

    async def round(self) -> int:
        """Every story marked stale before now, once; returns how many TLDRs were saved."""
        return await story_tldr.catch_up(self._read, self._cpu, self._save)

    async def _every_interval(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                saved = await self.round()
            except Exception:  # the marks stay: the next round tries again
                log.exception("story TLDR round failed")
            else:
                if saved:
                    log.info("story TLDRs updated count=%s", saved)

    async def _read(self, marked_before: datetime, after_id: int) -> list[StaleStory]:
        def read() -> list[StaleStory]:
            with self.db.session() as session:
                return story_tldr.read_stale(session, marked_before, after_id)

        return await asyncio.to_thread(read)

    async def _save(self, batch: Sequence[StaleStory], tldrs: Sequence[Tldr | None]) -> int:
        def save() -> int:
            with self.db.session() as session:
                pairs = zip(batch, tldrs, strict=True)
                return sum(story_tldr.save(session, stale, tldr) for stale, tldr in pairs)

        return int(await self._write(save))
