"""The page-stage worker processes.

What the stages need (the settings and the asset linker, built by the parent from the
database) is handed to each worker once, when the pool starts it; workers never open the
database. The pool also parses listings.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from wirebrief.article import ArticleDraft
from wirebrief.feeds.parser import FeedEntry
from wirebrief.pipeline.stages import PageContext, process_page_portable

_context: PageContext | None = None  # this worker's, set once by start()


def new_pool(workers: int, context: PageContext) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, each started with ``context``."""
    # forkserver: workers start from a clean process, not a fork of the threaded parent.
    return ProcessPoolExecutor(
        workers, mp_context=get_context("forkserver"), initializer=start, initargs=(context,)
    )


def start(context: PageContext) -> None:
    """Pool initializer: keep the context the parent built."""
    global _context
    _context = context


def process(
    html: bytes | str,
    url: str,
    entry: FeedEntry | None,
    source_id: int | None,
    content_type: str,
) -> ArticleDraft:
    """Every page stage on one page, in a worker of :func:`new_pool`; picklable result."""
    if _context is None:
        raise RuntimeError("page stages run in a pool made by pipeline.worker.new_pool")
    return process_page_portable(html, url, _context, entry, source_id, content_type)
