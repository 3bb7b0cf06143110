"""``wirebrief users`` and OPML folders, as a user runs them (real subprocess, real SQLite)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_commands import OPML
from tests.support.cli import run_cli
from wirebrief.feeds.opml import read_opml
from wirebrief.storage import users
from wirebrief.storage.db import Database

PASSWORD = "correct horse battery"


def test_users_add_list_password_role_api_password_remove(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    run_cli("init", database_url=url)
    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    run_cli("sources", "import", str(opml), database_url=url)

    added = run_cli("users", "add", "ed", "--admin", "--password-stdin",
                    database_url=url, stdin=PASSWORD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Added admin ed, following 2 sources" in added.stdout
    run_cli("users", "add", "ana", "--password-stdin", "--empty", database_url=url, stdin=PASSWORD)
    weak = run_cli("users", "add", "bo", "--password-stdin", database_url=url, stdin="short\n")
    assert weak.returncode == 1 and "at least 10 characters" in weak.stderr
    assert "Traceback" not in weak.stderr
    twice = run_cli("users", "add", "ed", "--password-stdin", database_url=url, stdin=PASSWORD)
    assert twice.returncode == 1 and "already an account" in twice.stderr
    no_terminal = run_cli("users", "add", "cy", database_url=url, stdin="")
    assert no_terminal.returncode != 0 and "--password-stdin" in no_terminal.stderr

    listed = json.loads(run_cli("users", "list", "--json", database_url=url).stdout)
    assert [(u["name"], u["role"], u["subscriptions"]) for u in listed] == [
        ("ana", "reader", 0), ("ed", "admin", 2)]  # fmt: skip

    changed = run_cli("users", "password", "ana", "--password-stdin",
                      database_url=url, stdin="a new long password\n")  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    api = run_cli("users", "api-password", "ana", database_url=url)
    assert api.returncode == 0, api.stderr
    generated = api.stdout.strip().rsplit(" ", 1)[-1]
    assert "/fever/" in api.stderr
    database = Database(url)
    with database.session() as session:
        assert users.authenticate(session, "ana", "a new long password") is not None
        assert users.authenticate_app(session, "ana", generated) is not None
    database.dispose()

    last = run_cli("users", "remove", "ed", "--yes", database_url=url)
    assert last.returncode == 1 and "only admin" in last.stderr
    assert run_cli("users", "role", "ana", "admin", database_url=url).returncode == 0
    assert run_cli("users", "remove", "ed", "--yes", database_url=url).returncode == 0
    missing = run_cli(
        "users", "password", "ed", "--password-stdin", database_url=url, stdin=PASSWORD
    )
    assert missing.returncode == 1 and "no account 'ed'" in missing.stderr


def test_opml_categories_are_kept_per_desk_and_per_account(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    run_cli("init", database_url=url)
    run_cli("users", "add", "ana", "--password-stdin", database_url=url, stdin=PASSWORD)
    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    imported = run_cli("sources", "import", str(opml), database_url=url)
    assert "2 new sources" in imported.stdout and "1 folders" in imported.stdout
    desk = read_opml(run_cli("sources", "export", database_url=url).stdout.encode())
    assert {(s.title, s.category) for s in desk} == {("Alpha", "Crypto"), ("Beta", "Crypto")}
    # ana followed the new sources, in the desk's folder
    mine = read_opml(
        run_cli("sources", "export", "--user", "ana", database_url=url).stdout.encode()
    )
    assert {(s.title, s.category) for s in mine} == {("Alpha", "Crypto"), ("Beta", "Crypto")}

    theirs = tmp_path / "theirs.opml"
    theirs.write_text(OPML.decode().replace('text="Crypto"', 'text="Markets"'))
    run_cli("sources", "import", str(theirs), "--user", "ana", database_url=url)
    mine = read_opml(
        run_cli("sources", "export", "--user", "ana", database_url=url).stdout.encode()
    )
    assert {s.category for s in mine} == {"Markets"}
    desk = read_opml(run_cli("sources", "export", database_url=url).stdout.encode())
    assert {s.category for s in desk} == {"Crypto"}  # the desk's folders are its own
    assert run_cli("sources", "set", "1", "--category", "Coins", database_url=url).returncode == 0
    desk = read_opml(run_cli("sources", "export", database_url=url).stdout.encode())
    assert {(s.title, s.category) for s in desk} == {("Alpha", "Coins"), ("Beta", "Crypto")}


def test_admin_set_password_makes_the_admin_account(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    made = run_cli("init", "--admin-password", PASSWORD, database_url=url)
    assert "Admin account admin created" in made.stdout, made.stderr
    changed = run_cli("admin", "set-password", "--password", "another long one", database_url=url)
    assert "Password of admin changed" in changed.stdout
    listed = json.loads(run_cli("users", "list", "--json", database_url=url).stdout)
    assert [(u["name"], u["role"]) for u in listed] == [("admin", "admin")]


def test_the_demo_makes_a_reader_account_once(db: Database, capsys) -> None:
    from wirebrief.cli.serve import _demo_account

    _demo_account(db)
    first = capsys.readouterr().out
    password = first.split("password ")[1].split(";")[0]
    _demo_account(db)
    assert "was printed when it was made" in capsys.readouterr().out
    with db.session() as session:
        assert users.authenticate(session, "demo", password) is not None
