"""``wirebrief users …``: accounts, their passwords and their apps' API passwords."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from wirebrief.cli.context import CliState, console, err_console, state
from wirebrief.storage import subscriptions as subs
from wirebrief.storage import users as user_store

app = typer.Typer(
    help=(
        "Accounts of the reader: admins manage sources and removals, readers read. Each has "
        "its own subscriptions, folders and reading state; apps sign in with an API password."
    ),
    no_args_is_help=True,
)

STDIN_OPTION = typer.Option(
    False, "--password-stdin", help="Read the password from standard input (its first line)."
)


def read_password(from_stdin: bool, prompt: str = "Password") -> str:
    """The first line of standard input, or a hidden prompt asked twice."""
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise typer.BadParameter("no terminal to ask on: pass --password-stdin and pipe it in")
    return typer.prompt(prompt, hide_input=True, confirmation_prompt=True)


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Sign-in name: letters, digits, '.', '_', '@', '-'."),
    admin: bool = typer.Option(False, "--admin", help="An admin (else a reader)."),
    password_stdin: bool = STDIN_OPTION,
    unread_days: int = typer.Option(
        user_store.NEW_ACCOUNT_UNREAD_DAYS,
        "--unread-days",
        min=0,
        max=36_500,
        help="Articles published up to this many days ago start unread; older ones, read.",
    ),
    empty: bool = typer.Option(
        False, "--empty", help="Follow nothing yet (else every source the desk follows)."
    ),
) -> None:
    """Create an account (the password is asked for, at least 10 characters)."""
    password = read_password(password_stdin)
    role = user_store.Role.ADMIN if admin else user_store.Role.READER
    with state(ctx).database().session() as session:
        user = user_store.add_user(session, name, password, role=role, unread_days=unread_days)
        followed = 0 if empty else subs.subscribe_to_desk(session, user)
    console.print(
        escape(f"Added {role} {name}, following {followed} sources. Sign in at /signin."),
        highlight=False,
    )


@app.command("list")
def list_(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """Every account: role, when it was made, sources followed, whether apps can sign in."""
    with state(ctx).database().session() as session:
        rows: list[dict[str, Any]] = [
            {
                "name": user.name,
                "role": user.role,
                "created_at": user.created_at.isoformat(),
                "subscriptions": len(subs.followed(session, user)),
                "api_access": user.api_password_hash is not None,
            }
            for user in user_store.list_users(session)
        ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    if not rows:
        console.print("No accounts yet: `wirebrief users add NAME --admin` makes the first.")
        return
    table = Table("name", "role", "created", "follows", "apps")
    for row in rows:
        table.add_row(
            escape(row["name"]), row["role"], row["created_at"][:10], str(row["subscriptions"]),
            "API password set" if row["api_access"] else "-",
        )  # fmt: skip
    console.print(table)


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The account's name."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete an account with its subscriptions, folders, stars and reading state (the
    sources stay). The last admin cannot be removed."""
    if not yes:
        if not sys.stdin.isatty():
            raise typer.BadParameter("pass --yes to remove an account without a terminal")
        typer.confirm(f"Remove {name} with its folders, stars and reading state?", abort=True)
    with state(ctx).database().session() as session:
        user_store.remove_user(session, name)
    console.print(escape(f"Removed {name}."), highlight=False)


@app.command("password")
def password(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The account's name."),
    password_stdin: bool = STDIN_OPTION,
) -> None:
    """Set an account's password; its browser sessions end."""
    new = read_password(password_stdin, "New password")
    with state(ctx).database().session() as session:
        user_store.set_password(session, user_store.get_user(session, name), new)
    console.print(escape(f"Password of {name} changed; its sessions ended."), highlight=False)


@app.command("role")
def role(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The account's name."),
    new_role: user_store.Role = typer.Argument(..., help="admin or reader."),
) -> None:
    """Make an account an admin or a reader."""
    with state(ctx).database().session() as session:
        user_store.set_role(session, user_store.get_user(session, name), new_role)
    console.print(escape(f"{name} is now {new_role}."), highlight=False)


@app.command("api-password")
def api_password(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The account's name."),
    revoke: bool = typer.Option(False, "--revoke", help="Stop every app signing in as it."),
) -> None:
    """Generate the password apps sign in with (Google Reader API and Fever API): shown
    once; the old one and its tokens stop working."""
    with state(ctx).database().session() as session:
        user = user_store.get_user(session, name)
        if revoke:
            user_store.revoke_api_password(session, user)
            console.print(escape(f"Apps can no longer sign in as {name}."), highlight=False)
            return
        generated = user_store.new_api_password(session, user)
    show_api_password(state(ctx), name, generated)


def show_api_password(cli: CliState, name: str, generated: str) -> None:
    """Print an API password and where apps use it."""
    base = cli.settings.public_url or f"http://{cli.settings.host}:{cli.settings.port}"
    console.print(escape(f"API password for {name} (shown only now): {generated}"), highlight=False)
    err_console.print(
        escape(
            f"Google Reader API apps: server {base}, name {name}, this password.\n"
            f"Fever apps: server {base}/fever/, name {name}, this password."
        ),
        highlight=False,
    )
