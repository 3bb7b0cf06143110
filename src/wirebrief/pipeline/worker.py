"""The page-stage worker processes.

What the stages need (the settings and the asset linker, built by the parent from the
database) is handed to each worker once, when the pool starts it; workers never open the
database. The pool also parses listings.

A worker never outlives the process that started the pool, however that one died (SIGKILL
included): it watches it from its first moment, before the seconds it spends importing the
page stages, and exits when it is gone, instead of waiting for ever on a queue nobody
writes to. A pool is stopped in bounded time (:func:`stop_pool`).
"""

from __future__ import annotations

import os
import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from wirebrief.article import ArticleDraft
from wirebrief.feeds.parser import FeedEntry
from wirebrief.pipeline.stages import PageContext, process_page_portable
from wirebrief.stopping import exit_with_then

_context: PageContext | None = None  # this worker's, set once by start()
# How long a stop waits for the pages being worked on before ending the workers.
STOP_WAIT_S = 3.0


def new_pool(workers: int, context: PageContext) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, each started with ``context``."""
    # forkserver: workers start from a clean process, not a fork of the threaded parent.
    # The initializer and its arguments are light to unpickle (the context goes as bytes):
    # the watch on the parent starts before anything heavy is imported.
    return ProcessPoolExecutor(
        workers, mp_context=get_context("forkserver"), initializer=exit_with_then,
        initargs=(os.getpid(), f"{__name__}:start", pickle.dumps(context)),
    )  # fmt: skip


def stop_pool(pool: ProcessPoolExecutor, wait_s: float = STOP_WAIT_S) -> None:
    """Cancel what has not started, give the pages in progress ``wait_s`` to finish (their
    results are not used: the entries stay in the inbox), then end the workers left."""
    # The executor has no public handle on its processes before Python 3.14.
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + wait_s
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        if process.is_alive():
            process.terminate()
            process.join(1.0)


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
