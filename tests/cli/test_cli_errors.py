"""Every CLI error is one line that says what to do, with a non-zero exit: no traceback, no
database file or folder made where none was asked for."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support.cli import run_cli

HUGE = "99999999999999999999"


def one_line_error(result) -> str:  # type: ignore[no-untyped-def]
    """The single line a failing command printed (and its exit code is not 0)."""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def ready(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ready.db'}"
    assert run_cli("init", "--admin-password", "a long password", database_url=url).returncode == 0
    return url


@pytest.mark.parametrize(
    "args",
    [("fetch", "--source", HUGE), ("sources", "set", HUGE, "--name", "x"), ("sources", "remove", HUGE),
     ("search", "--source", HUGE, "gold"), ("sources", "remove", "0"), ("serve", "--port", "99999")],
)  # fmt: skip
def test_out_of_range_numbers_are_one_line(ready: str, args: tuple[str, ...]) -> None:
    line = one_line_error(run_cli(*args, database_url=ready))
    assert "Invalid value for" in line and "--help" in line


def test_an_unknown_source_id_is_one_line(ready: str) -> None:
    assert "there is no source 42" in one_line_error(
        run_cli("sources", "remove", "42", database_url=ready)
    )


def test_bad_databases_are_one_line_and_nothing_is_created(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 100)
    folder = tmp_path / "folder.db"
    folder.mkdir()
    cases = {
        f"sqlite:///{corrupt}": "cannot open the database",
        f"sqlite:///{text}": "file is not a database",
        f"sqlite:///{folder}": "is a folder, not a database file",
        "postgresql://wirebrief@127.0.0.1:1/nothing": "cannot open the database",
        f"sqlite:///{tmp_path / 'missing.db'}": "run `wirebrief init`",
    }
    for url, expected in cases.items():
        line = one_line_error(run_cli("sources", "list", database_url=url))
        assert expected in line, line
    assert not (tmp_path / "missing.db").exists()
    assert text.read_text().startswith("not a database")


def test_init_makes_no_folders_unasked_but_the_default_var(tmp_path: Path) -> None:
    nested = tmp_path / "a" / "b" / "w.db"
    line = one_line_error(run_cli("init", database_url=f"sqlite:///{nested}"))
    assert "does not exist; create it first" in line
    assert not (tmp_path / "a").exists()
    made = run_cli("init", "--admin-password", "a long password",
                   database_url="sqlite:///./var/wirebrief.db", cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "var" / "wirebrief.db").is_file()


def test_cluster_of_a_missing_file_is_one_line(ready: str) -> None:
    line = one_line_error(run_cli("cluster", "missing.jsonl", database_url=ready))
    assert "cannot read missing.jsonl" in line


def test_serve_on_a_busy_port_fails_before_announcing(ready: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--port", str(port), database_url=ready)
    line = one_line_error(result)
    assert "another program uses that port" in line and "--port" in line
    assert "reader at" not in result.stdout


def test_fetch_says_when_the_next_source_is_due(ready: str) -> None:
    assert "no sources yet" in run_cli("fetch", database_url=ready).stdout.lower()
    run_cli("sources", "add", "http://127.0.0.1:9/feed.xml", "--kind", "feed", "--name", "Later",
            database_url=ready)  # fmt: skip
    from sqlalchemy import create_engine, text

    engine = create_engine(ready)
    with engine.begin() as connection:
        connection.execute(text("UPDATE sources SET next_poll_at = '2999-01-01 00:00:00.000000'"))
    engine.dispose()
    said = run_cli("fetch", database_url=ready)
    assert said.returncode == 0
    assert "No source is due. The next is Later (source 1), due in" in said.stdout
    assert "wirebrief fetch --source 1" in said.stdout
