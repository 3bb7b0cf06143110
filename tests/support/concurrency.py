"""Two workers at once, on one database: the second starts inside the first's transaction."""

from __future__ import annotations

import threading
from collections.abc import Callable

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
            assert not done.wait(1.0), failure or "the second worker did not wait"
        thread.join(10)
        assert done.is_set() and not failure, failure
    finally:
        other_worker.dispose()
