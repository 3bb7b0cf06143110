"""The ingestion pipeline. This package is the one place that states the order of stages.

    source ─► fetch listing (feed or sitemap) ─► parse listing ─► fetch page
           ─► page stages: extract ─► capture tldr ─► attribute ─► clean ─► measure
              ─► fingerprint ─► profile ─► link assets ─► summarize ─► weigh terms ─► sanitize
           ─► LLM summary (optional) ─► store steps: lock copy buckets ─► skip removed
              ─► store by URL ─► collapse copies ─► group into story ─► asset links ─► index
              ─► file for readers
           ─► after commit, in rounds: story TLDRs

- ``stages``: the page stages (CPU, worker processes, no database); ``PAGE_STAGES``.
- ``store``: the store steps (one transaction per page); ``STORE_STEPS``.
- ``story_tldrs``: the story TLDRs the store steps marked stale, recomputed after commit.
- ``listing``: what a poll reads of a source and what its feed or sitemap lists.
- ``ingestor``: :class:`Ingestor`, which runs them: network on one event loop, page
  stages in a process pool, writes one at a time.
- ``report``: what a poll did (:class:`SourceReport`, :class:`PollStatus`).

Later capabilities are added to the tuples in ``stages`` and ``store``, nowhere else.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wirebrief.pipeline.ingestor import Ingestor, ingest_due, work_source_ids
    from wirebrief.pipeline.listing import FEED_ACCEPT, PAGE_ACCEPT
    from wirebrief.pipeline.report import Poll, PollStatus, SourceReport
    from wirebrief.pipeline.stages import (
        PAGE_STAGES,
        TEXT_STAGES,
        attribute,
        capture_tldr,
        clean,
        extract,
        fingerprint,
        link_assets,
        measure,
        process_page,
        process_text,
        profile,
        sanitize,
        summarize,
        weigh_terms,
    )
    from wirebrief.pipeline.store import STORE_STEPS, store_article
    from wirebrief.storage.articles import StoreOutcome

# Where each name lives (the rest are in ``stages``). Loaded on first use, so a page-stage
# worker process, which imports only ``stages`` and ``worker``, never loads the ingestor.
_HOMES = {
    **dict.fromkeys(("Ingestor", "ingest_due", "work_source_ids"), "wirebrief.pipeline.ingestor"),
    **dict.fromkeys(("FEED_ACCEPT", "PAGE_ACCEPT"), "wirebrief.pipeline.listing"),
    **dict.fromkeys(("Poll", "PollStatus", "SourceReport"), "wirebrief.pipeline.report"),
    **dict.fromkeys(("STORE_STEPS", "store_article"), "wirebrief.pipeline.store"),
    "StoreOutcome": "wirebrief.storage.articles",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES.get(name, "wirebrief.pipeline.stages")), name)


__all__ = [
    "FEED_ACCEPT",
    "PAGE_ACCEPT",
    "PAGE_STAGES",
    "STORE_STEPS",
    "TEXT_STAGES",
    "Ingestor",
    "Poll",
    "PollStatus",
    "SourceReport",
    "StoreOutcome",
    "attribute",
    "capture_tldr",
    "clean",
    "extract",
    "fingerprint",
    "ingest_due",
    "link_assets",
    "measure",
    "process_page",
    "process_text",
    "profile",
    "sanitize",
    "store_article",
    "summarize",
    "weigh_terms",
    "work_source_ids",
]
