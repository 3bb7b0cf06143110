"""Where LLM answers are kept: the ``llm_cache`` table."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import SQLAlchemyError

from wirebrief.storage.db import Database
from wirebrief.storage.models import LlmCacheEntry

log = logging.getLogger(__name__)


class DbCache:
    """Answers in the ``llm_cache`` table; writes go through ``write_lock`` when given
    (SQLite has one writer; the ingestor shares its lock). A database error only costs the
    cache, never the summary.
    """

    def __init__(self, db: Database, write_lock: asyncio.Lock | None = None) -> None:
        self.db = db
        self._write_lock = write_lock or asyncio.Lock()

    async def get(self, key: str) -> str | None:
        """The cached answer for ``key``, or ``None``."""
        return await asyncio.to_thread(self._get, key)

    async def put(self, key: str, model: str, response: str) -> None:
        """Keep an answer (a concurrent identical answer already stored is fine)."""
        async with self._write_lock:
            await asyncio.to_thread(self._put, key, model, response)

    def _get(self, key: str) -> str | None:
        try:
            with self.db.session() as session:
                entry = session.get(LlmCacheEntry, key)
                return entry.response if entry else None
        except SQLAlchemyError as exc:
            log.warning("llm cache not read: %s", exc)
            return None

    def _put(self, key: str, model: str, response: str) -> None:
        try:
            with self.db.session() as session:
                session.merge(LlmCacheEntry(key=key, model=model, response=response))
        except SQLAlchemyError as exc:  # e.g. another process stored the same key first
            log.warning("llm cache not written: %s", exc)
