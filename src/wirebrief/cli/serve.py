"""``wirebrief serve``, ``wirebrief run`` and ``wirebrief demo``."""

from __future__ import annotations

import errno
import ipaddress
import os
import signal
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import typer

from wirebrief.cli.context import CliState, console, state
from wirebrief.cli.ingest import print_summary, run_fetch
from wirebrief.errors import WirebriefError
from wirebrief.settings import Settings
from wirebrief.stopping import SIGNALS, STOP_GRACE_S, Stopped, first_signal_or_exit
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from wirebrief.web.health import HealthListener

# Heavy modules (the web stack, the pipeline) are imported inside the commands
# that need them, so that `wirebrief --help` and quick commands start fast.

HOST_OPTION = typer.Option(None, "--host", help="Interface to listen on (default 127.0.0.1).")
WORKERS_OPTION = typer.Option(
    None,
    "--workers",
    "-w",
    min=1,
    max=64,
    help="Web processes (default 1, or WIREBRIEF_WEB_WORKERS); one per core serves the most "
    "pages. /metrics then counts the requests of the process that answers it.",
)
PORT_OPTION = typer.Option(
    None, "--port", "-p", envvar="PORT", min=1, max=65535, help="Port (default 8000)."
)
# Seconds that requests in flight get to finish once SIGINT or SIGTERM arrives.
GRACEFUL_S = 3


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
    app.command("serve")(serve)
    app.command("run")(run)
    app.command("demo")(demo)


def serve(
    ctx: typer.Context,
    host: str | None = HOST_OPTION,
    port: int | None = PORT_OPTION,
    workers: int | None = WORKERS_OPTION,
) -> None:
    """Serve the web reader and the JSON API (docs at /docs). Does not fetch."""
    _serve(state(ctx), host, port, workers)


def run(
    ctx: typer.Context,
    host: str | None = HOST_OPTION,
    port: int | None = PORT_OPTION,
    workers: int | None = WORKERS_OPTION,
) -> None:
    """Fetch due sources on schedule and serve the reader, in one process."""
    from wirebrief.scheduler import run_scheduler

    cli = state(ctx)
    db = cli.database()
    stop = threading.Event()
    worker = threading.Thread(
        target=run_scheduler, args=(db, cli.settings, stop), name="scheduler", daemon=True
    )
    worker.start()
    try:
        _serve(cli, host, port, workers, on_stop=stop.set)
    finally:
        stop.set()  # the scheduler cancels its round and stops its page-stage pool
        worker.join(timeout=STOP_GRACE_S)


def demo(
    ctx: typer.Context,
    host: str | None = HOST_OPTION,
    port: int | None = PORT_OPTION,
    newsroom_port: int = typer.Option(
        8001,
        "--newsroom-port",
        envvar="NEWSROOM_PORT",
        min=0,
        max=65535,
        help="Port of the sample newsroom.",
    ),
) -> None:
    """Offline demo: serve the bundled sample newsroom on 127.0.0.1, ingest it, serve the reader.

    The sample publications are written by the Wirebrief project and labelled as demo
    content. They are ingested exactly as live sources are: HTTP fetch, feed parsing,
    page fetch, extraction and storage. The newsroom keeps running so that links to the
    "original" articles work.
    """
    from wirebrief.demo.prices import sample_price_settings
    from wirebrief.demo.server import NewsroomServer

    cli = state(ctx)
    # The demo talks to its own newsroom on loopback and to nothing else; being our own
    # server, it needs no pause between requests.
    cli = CliState(
        cli.settings.with_overrides(
            allowed_private_networks=(ipaddress.ip_network("127.0.0.1/32"),),
            per_host_delay_s=0.0,
            per_host_concurrency=8,
        )
    )
    db = cli.database(require_schema=False, create=True)
    db.upgrade()
    newsroom = NewsroomServer(port=newsroom_port)
    try:
        newsroom.start()
    except OSError as exc:
        raise WirebriefError(
            f"cannot start the sample newsroom on 127.0.0.1:{newsroom_port} ({exc.strerror}); "
            "pick another port with NEWSROOM_PORT=… or --newsroom-port"
        ) from exc
    with newsroom:
        console.print(f"Sample newsroom (demo content) at {newsroom.base_url}/")
        with db.session() as session:
            ids = [
                source_store.ensure_source(session, url, name, is_demo=True)[0].id
                for name, url in newsroom.feed_urls()
            ]
        print_summary(run_fetch(cli, ids))
        _demo_account(db)
        with tempfile.TemporaryDirectory(prefix="wirebrief-sample-prices-") as prices:
            # Sample price series (generated, labelled as such) for the markets widget.
            cli = CliState(cli.settings.with_overrides(**sample_price_settings(Path(prices))))
            _serve(cli, host, port)


DEMO_ACCOUNT = "demo"


def _demo_account(db: Database) -> None:
    """A reader account to try the signed-in reader and the apps with: made on the first
    demo, with its passwords printed once (the demo's articles all start unread)."""
    import secrets

    from wirebrief.storage import subscriptions as subs
    from wirebrief.storage import users as user_store

    with db.session() as session:
        user = user_store.find_user(session, DEMO_ACCOUNT)
        if user is not None:
            subs.subscribe_to_desk(session, user)
            console.print(
                f"Sign in at /signin as {DEMO_ACCOUNT} (its password was printed when it was "
                f"made; `wirebrief users password {DEMO_ACCOUNT}` sets a new one)"
            )
            return
        password = secrets.token_urlsafe(9)
        user = user_store.add_user(session, DEMO_ACCOUNT, password, unread_days=None)
        subs.subscribe_to_desk(session, user)
        api_password = user_store.new_api_password(session, user)
    console.print(f"Sign in at /signin as {DEMO_ACCOUNT}, password {password}; apps: API password "
                  f"{api_password} (docs/apps.md)", highlight=False)  # fmt: skip


def _serve(
    cli: CliState,
    host: str | None,
    port: int | None,
    workers: int | None = None,
    on_stop: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGINT or SIGTERM: requests in flight get :data:`GRACEFUL_S` to finish;
    ``on_stop`` is called as soon as the signal arrives (the scheduler of ``run`` starts
    stopping meanwhile)."""
    settings = cli.settings.with_overrides(
        host=host, port=port, web_workers=workers or cli.settings.web_workers
    )
    # The schema is checked here, once, with a readable error; each app opens its own,
    # web-sized pool.
    cli.database().dispose()
    listening = listen(settings.host, settings.port)  # fails here, before saying "reader at"
    health = _health_listener(settings)
    try:
        _serve_on(settings, listening, on_stop)
    finally:
        if health is not None:
            health.close()


def _health_listener(settings: Settings) -> HealthListener | None:
    """/healthz on ``settings.health_port``, answered outside the request loop (in the
    supervising process with --workers), or ``None`` without one."""
    from wirebrief.web.health import HealthListener

    if settings.health_port is None:
        return None
    listening = listen(settings.host, settings.health_port)
    listening.set_inheritable(False)  # the web processes of --workers do not answer it
    console.print(f"Health checks at http://{settings.host}:{settings.health_port}/healthz")
    return HealthListener(listening, settings.database_url)


def _serve_on(
    settings: Settings, listening: socket.socket, on_stop: Callable[[], None] | None
) -> None:
    """The reader's process, or the supervisor of ``settings.web_workers`` of them."""
    import uvicorn

    from wirebrief.web.app import SETTINGS_ENV, create_app, pass_settings

    if settings.web_workers == 1:
        config = server_config(create_app(settings), settings)
    else:
        # Each worker process builds its app from these settings (demo overrides included).
        os.environ[SETTINGS_ENV] = pass_settings(settings)
        config = server_config("wirebrief.web.app:app_from_environment", settings)
    console.print(f"Wirebrief reader at http://{settings.host}:{settings.port}/ (Ctrl+C to stop)")
    if settings.web_workers > 1:
        _serve_processes(config, listening, on_stop)
        return

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            if on_stop is not None:
                on_stop()
            super().handle_exit(sig, frame)

    Server(config).run(sockets=[listening])  # raises the signal again once shut down: Stopped


def _serve_processes(
    config: uvicorn.Config, listening: socket.socket, on_stop: Callable[[], None] | None
) -> None:
    """uvicorn's supervisor of ``config.workers`` web processes, stopped by SIGINT or SIGTERM
    like every command: ``on_stop`` at once, the processes given :data:`GRACEFUL_S`, then
    :class:`Stopped` (a second signal exits at once)."""
    from uvicorn.supervisors import Multiprocess

    received: list[int] = []

    class Supervisor(Multiprocess):
        def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
            super().__init__(config, sockets)
            for signum in SIGNALS:
                # As uvicorn's own handler, only queue it: the loop acts within 0.5 s.
                signal.signal(signum, self._queue)

        def _queue(self, signum: int, _frame: FrameType | None) -> None:
            first_signal_or_exit(received, signum)
            self.signal_queue.append(signum)

        def handle_int(self) -> None:
            self._stop()

        def handle_term(self) -> None:
            self._stop()

        def _stop(self) -> None:
            if on_stop is not None:
                on_stop()
            self.should_exit.set()

    Supervisor(config, sockets=[listening]).run()
    if received:
        raise Stopped(received[0])


def server_config(app: FastAPI | str, settings: Settings) -> uvicorn.Config:
    """How uvicorn serves the reader: ``app`` itself, or the import string each of
    ``settings.web_workers`` processes builds its app from."""
    import uvicorn

    workers = settings.web_workers
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        # uvicorn would believe X-Forwarded-For from 127.0.0.1; the app reads proxy headers
        # itself, from WIREBRIEF_TRUSTED_PROXIES only (web/clientaddr.py).
        proxy_headers=False,
        # Our handler's filter redacts source credentials: uvicorn's records (a traceback
        # too) go to it instead of handlers of uvicorn's own (web/app.py for --workers).
        log_config=None,
        factory=workers > 1,
        workers=workers,
        # uvicorn restarts a worker that does not answer its health check within this; a
        # worker importing the app on a busy machine takes longer than the default 5 s.
        timeout_worker_healthcheck=60,
        timeout_graceful_shutdown=GRACEFUL_S,
    )


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port``, or a one-line error saying what to change."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise WirebriefError(f"cannot listen on {host!r}: not an address or known host name; "
                             "use --host 127.0.0.1, 0.0.0.0 or ::") from exc  # fmt: skip
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.set_inheritable(True)  # for the worker processes of --workers
    try:
        listening.bind(address)
    except OSError as exc:
        listening.close()
        busy = exc.errno == errno.EADDRINUSE
        why = "another program uses that port" if busy else (exc.strerror or str(exc))
        raise WirebriefError(
            f"cannot listen on {host}:{port}: {why}; pick another with --port (or PORT=…)"
        ) from exc
    return listening
