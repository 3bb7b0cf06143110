"""``wirebrief admin``: the first admin account, from the days of one admin password."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from wirebrief.cli.context import CliState, console, state
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users as user_store

app = typer.Typer(help="The admin area (/admin): removal requests, blocked sources, audit log.")

ADMIN_NAME = "admin"
PASSWORD_OPTION = typer.Option(
    None, "--password", envvar="WIREBRIEF_ADMIN_PASSWORD",
    help="The new password (at least 10 characters); prompted for when omitted.",
)  # fmt: skip


@app.command("set-password")
def set_password(ctx: typer.Context, password: str | None = PASSWORD_OPTION) -> None:
    """Set the password of the account `admin`, creating it as an admin if missing (other
    accounts: `wirebrief users password NAME`)."""
    if password is None:
        password = typer.prompt("Admin password", hide_input=True, confirmation_prompt=True)
    store_password(state(ctx), password)


def store_password(cli: CliState, password: str) -> None:
    """Create the account ``admin`` with ``password``, or change its password."""
    with cli.database().session() as session:
        user = user_store.find_user(session, ADMIN_NAME)
        if user is None:
            user = user_store.add_user(session, ADMIN_NAME, password, role=user_store.Role.ADMIN)
            subs.subscribe_to_desk(session, user)
            message = f"Admin account {ADMIN_NAME} created: sign in at /signin."
        else:
            user_store.set_password(session, user, password)
            message = f"Password of {ADMIN_NAME} changed: sign in at /signin."
    console.print(escape(message), highlight=False)


def ask_at_init(cli: CliState, password: str | None) -> None:
    """At ``wirebrief init``: store ``password`` for ``admin``, or, when there is no account
    yet, offer on a terminal to create it."""
    if password is None:
        with cli.database().session() as session:
            if user_store.list_users(session) or not sys.stdin.isatty():
                return
        password = typer.prompt(
            "Password for the admin account 'admin' (empty: later, with "
            "`wirebrief users add NAME --admin`)",
            default="", show_default=False, hide_input=True,
        )  # fmt: skip
        if not password:
            return
    store_password(cli, password)
