"""``wirebrief admin``: the admin area's password."""

from __future__ import annotations

import sys

import typer

from wirebrief.cli.context import CliState, console, state
from wirebrief.storage import admin as admin_store

app = typer.Typer(help="The admin area (/admin): removal requests, blocked sources, audit log.")

PASSWORD_OPTION = typer.Option(
    None, "--password", envvar="WIREBRIEF_ADMIN_PASSWORD",
    help="The new password (at least 10 characters); prompted for when omitted.",
)  # fmt: skip


@app.command("set-password")
def set_password(ctx: typer.Context, password: str | None = PASSWORD_OPTION) -> None:
    """Set or change the admin password (hashed with argon2id); signs every admin out."""
    if password is None:
        password = typer.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    store_password(state(ctx), password)


def store_password(cli: CliState, password: str) -> None:
    """Hash and store ``password`` in the configured database."""
    with cli.database().session() as session:
        admin_store.set_password(session, password)
    console.print("Admin password set: sign in at /admin.")


def ask_at_init(cli: CliState, password: str | None) -> None:
    """At ``wirebrief init``: store ``password``, or offer to set one on a terminal."""
    if password is None:
        with cli.database().session() as session:
            if admin_store.has_password(session) or not sys.stdin.isatty():
                return
        password = typer.prompt(
            "Admin password for /admin (empty: set it later with `wirebrief admin set-password`)",
            default="", show_default=False, hide_input=True,
        )  # fmt: skip
        if not password:
            return
    store_password(cli, password)
