"""Top-level Typer app: global options, error handling, command registration."""

from __future__ import annotations

import logging
import os
import sys
from typing import NoReturn

import typer
from rich.logging import RichHandler
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

from wirebrief import __version__
from wirebrief.cli import (
    admin,
    alerts,
    assets,
    cluster,
    doctor,
    extract,
    ingest,
    jobs,
    search,
    serve,
    sources,
    tldr,
    transfer,
    users,
)
from wirebrief.cli.context import CliState, database_problem, err_console
from wirebrief.errors import WirebriefError
from wirebrief.redaction import RedactingFilter, redact_text
from wirebrief.settings import Settings
from wirebrief.stopping import Stopped, stop_on_signals

app = typer.Typer(
    name="wirebrief",
    help=(
        "Wirebrief: a self-hosted news desk.\n\n"
        "Follow feeds, extract clean article text, see where every repost came from, "
        "and read it all in a web reader, a JSON API and feeds.\n\n"
        "Start with `wirebrief init`, add sources with `wirebrief sources add URL`, "
        "then `wirebrief run`."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)


def _version(value: bool) -> None:
    if value:
        print(f"wirebrief {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="WIREBRIEF_DATABASE_URL",
        help="Database URL, e.g. sqlite:///var/wirebrief.db (the default) or postgresql://…",
        show_envvar=True,
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each fetch and stage."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Global options; they go before the command name."""
    handler = RichHandler(console=err_console, show_path=False)
    handler.addFilter(RedactingFilter())  # no credentials of a source URL in any log line
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(message)s", handlers=[handler]
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)
    logging.getLogger("htmldate").setLevel(logging.ERROR)
    ctx.obj = CliState(Settings.from_env(database_url=db))


ingest.register(app)
serve.register(app)
extract.register(app)
cluster.register(app)
tldr.register(app)
search.register(app)
doctor.register(app)
jobs.register(app)
transfer.register(app)
app.add_typer(sources.app, name="sources")
app.add_typer(assets.app, name="assets")
app.add_typer(alerts.app, name="alerts")
app.add_typer(admin.app, name="admin")
app.add_typer(users.app, name="users")


def main() -> None:
    """Entry point: every error becomes one red line that says what to do, and a non-zero
    exit code; never a traceback (``--verbose`` adds it for an unexpected error). SIGINT and
    SIGTERM stop any command cleanly (exit code 128 + the signal's number)."""
    try:
        with stop_on_signals():
            result = app(standalone_mode=False)
    except Stopped as stop:
        _stopped(stop)
    except typer.Abort:
        _fail("interrupted", 130)
    except typer.TyperException as exc:  # a bad option or argument (Typer's own Click)
        context = getattr(exc, "ctx", None)
        hint = f"; see `{context.command_path} --help`" if context else "; see --help"
        _fail(f"{exc.format_message()}{hint}", getattr(exc, "exit_code", 2))
    except WirebriefError as exc:
        _fail(str(exc))
    except SQLAlchemyError as exc:
        _fail(f"the database failed: {database_problem(exc)}; check that it is reachable and "
              "that `wirebrief init` has run for it")  # fmt: skip
    except Exception as exc:
        if logging.getLogger().isEnabledFor(logging.INFO):
            err_console.print_exception()
        _fail(f"unexpected {type(exc).__name__}: {redact_text(str(exc))} (please report it; "
              "--verbose shows where it happened)")  # fmt: skip
    sys.exit(result if isinstance(result, int) else 0)


def _fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    sys.exit(code)


def _stopped(stop: Stopped) -> NoReturn:
    err_console.print(
        f"Stopped by {stop}; what was not finished is picked up by the next run.",
        highlight=False,
    )
    # Everything is unwound and written; tearing down the interpreter (seconds on a busy
    # machine, with numpy and scipy loaded) would only eat into the 10 s promised.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(stop.exit_code)
