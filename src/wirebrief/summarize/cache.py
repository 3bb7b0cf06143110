"""Where LLM answers are kept for one run: memory (the ``llm_cache`` table is
``storage/llmcache.py``; the summarizer takes either)."""

from __future__ import annotations


class MemoryCache:
    """Answers in a dict, for one process."""

    def __init__(self) -> None:
        self.entries: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        """The cached answer for ``key``, or ``None``."""
        return self.entries.get(key)

    async def put(self, key: str, model: str, response: str) -> None:
        """Keep an answer."""
        self.entries[key] = response
