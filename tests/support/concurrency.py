"""Two workers at once, on one database: the second starts inside the first's transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from wirebrief.storage.db import Database


def second_waits_for_first(
    database: Database,
    first_step: Callable[[Session], object],
    second_step: Callable[[Session], object],
) -> None:
    """Run ``first_step`` in a transaction and, before it commits, ``second_step`` from a
    second engine (another worker's connections). Asserts that the second waits for the
    first to commit, rather than working from what it saw before."""
    with _inside_first(database, first_step, second_step) as done:
        assert not done.wait(1.0), "the second worker did not wait"


def at_once(
    database: Database,
    first_step: Callable[[Session], object],
    second_step: Callable[[Session], object],
    overlap_s: float = 0.3,
) -> None:
    """Run ``second_step`` from a second engine while ``first_step``'s transaction is still
    open (for up to ``overlap_s``, or until the second is done), then let the first commit:
    two workers storing at once, whether or not the second has to wait for the first."""
    with _inside_first(database, first_step, second_step) as done:
        done.wait(overlap_s)


@contextmanager
def _inside_first(
    database: Database,
    first_step: Callable[[Session], object],
    second_step: Callable[[Session], object],
) -> Iterator[threading.Event]:
    """Run ``first_step``, start ``second_step`` in another thread and engine, and yield
    (the first's transaction still open) an event set when the second is done; the first
    commits when the block ends, then the second must finish without an error."""
    other_worker = Database(database.url)
    done = threading.Event()
    failure: list[BaseException] = []

    def second_worker() -> None:
        try:
            with other_worker.session() as second:
                second_step(second)
        except BaseException as exc:  # reported in the test's own thread
            failure.append(exc)
        finally:
            done.set()

    try:
        with database.session() as first:
            first_step(first)
            thread = threading.Thread(target=second_worker)
            thread.start()
            yield done
        thread.join(30)
        assert done.is_set() and not failure, failure
    finally:
        other_worker.dispose()
