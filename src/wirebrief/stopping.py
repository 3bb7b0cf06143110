"""Stopping on SIGINT and SIGTERM: unwind what is in flight, then exit, within 10 s.

The first signal stops the work where it stands: asyncio commands have their main task
cancelled, blocking ones (the web server) get :class:`Stopped` raised in the main thread.
Either way ``finally`` clauses and context managers run: the page-stage pool is stopped,
connections are closed, a database write in flight commits or rolls back whole. Nothing
is lost by stopping early: an entry not stored stays pending and a job not finished goes
back to the queue, for the next run. Should unwinding take longer than
:data:`STOP_GRACE_S`, or a second signal arrive, the process exits at once (its page-stage
workers notice that and exit too).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import pickle
import signal
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_GRACE_S = 8.0
WATCH_INTERVAL_S = 0.5
T = TypeVar("T")


class Stopped(BaseException):
    """SIGINT or SIGTERM stopped the command. A BaseException, so that no handler of
    ordinary errors mistakes it for a failed page or source."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 + the signal number (130 for Ctrl-C)."""
        return 128 + self.signum


def run_stoppable(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)``; SIGINT or SIGTERM cancels ``main`` and raises :class:`Stopped`
    once it has unwound. Outside the main thread, signals are left alone."""
    received: list[int] = []

    async def guarded() -> T:
        if threading.current_thread() is not threading.main_thread():
            return await main
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()

        def on_signal(signum: int) -> None:
            first_signal_or_exit(received, signum)
            task.cancel()

        previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
        for signum in SIGNALS:
            loop.add_signal_handler(signum, on_signal, signum)
        try:
            return await main
        finally:
            for signum, handler in previous.items():
                loop.remove_signal_handler(signum)
                signal.signal(signum, handler)  # asyncio would leave the defaults

    try:
        return asyncio.run(guarded())
    except asyncio.CancelledError:
        if received:
            raise Stopped(received[0]) from None
        raise


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise :class:`Stopped` in the main thread (for
    blocking code; uvicorn, which handles them itself, raises the signal again once it has
    shut down, and so lands here)."""
    received: list[int] = []

    def on_signal(signum: int, _frame: object) -> None:
        first_signal_or_exit(received, signum)
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, on_signal) for signum in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def first_signal_or_exit(received: list[int], signum: int) -> None:
    """Note the first signal and bound the time to unwind; on a second one, exit now (for
    signal handlers of our own and of servers we run)."""
    if received:
        log.warning("second %s: exiting now", signal.Signals(signum).name)
        os._exit(128 + signum)
    received.append(signum)
    log.warning(
        "%s: stopping; what is not finished is picked up by the next run",
        signal.Signals(signum).name,
    )
    timer = threading.Timer(STOP_GRACE_S, _exit_late, (signum,))
    timer.daemon = True
    timer.start()


def _exit_late(signum: int) -> None:
    log.warning("still stopping after %.0f s: exiting now", STOP_GRACE_S)
    os._exit(128 + signum)


def exit_with_then(process_id: int, start: str, payload: bytes) -> None:
    """Initializer of a worker process: exit as soon as process ``process_id`` is gone
    (checked every :data:`WATCH_INTERVAL_S`), then call ``start`` (``module:function``)
    with the unpickled ``payload``. Kept in this light module, so that the watch starts
    before the worker imports anything heavy."""

    def watch() -> None:
        while True:
            time.sleep(WATCH_INTERVAL_S)
            try:
                os.kill(process_id, 0)  # signal 0: only asks whether it exists
            except ProcessLookupError:
                os._exit(0)  # nobody is left to read our results
            except PermissionError:
                pass  # it exists, under another user

    threading.Thread(target=watch, name="exit-with", daemon=True).start()
    module, function = start.split(":")
    getattr(importlib.import_module(module), function)(pickle.loads(payload))
