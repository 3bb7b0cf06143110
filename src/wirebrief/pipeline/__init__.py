"""The ingestion pipeline. This package is the one place that states the order of stages.

    source ─► fetch listing (feed or sitemap) ─► parse listing ─► fetch page
           ─► page stages: extract ─► capture tldr ─► attribute ─► clean ─► measure
              ─► fingerprint ─► profile ─► link assets ─► summarize ─► sanitize
           ─► LLM summary (optional) ─► store steps: lock copy buckets ─► skip removed
              ─► store by URL ─► collapse copies ─► group into story ─► asset links ─► index

- ``stages``: the page stages (CPU, worker processes, no database); ``PAGE_STAGES``.
- ``store``: the store steps (one transaction per page); ``STORE_STEPS``.
- ``listing``: what a poll reads of a source and what its feed or sitemap lists.
- ``ingestor``: :class:`Ingestor`, which runs them: network on one event loop, page
  stages in a process pool, writes one at a time.
- ``report``: what a poll did (:class:`SourceReport`, :class:`PollStatus`).

Later capabilities are added to the tuples in ``stages`` and ``store``, nowhere else.
"""

from wirebrief.pipeline.ingestor import Ingestor, ingest_due
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
)
from wirebrief.pipeline.store import STORE_STEPS, store_article
from wirebrief.storage.articles import StoreOutcome

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
]
