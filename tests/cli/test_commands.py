"""The ``wirebrief`` command as a user runs it (real subprocess, real SQLite file)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli
from tests.support.httpserver import FixtureServer, Route

OPML = b"""<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0"><head><title>Mine</title></head><body>
  <outline text="Crypto">
    <outline type="rss" text="Alpha" xmlUrl="http://127.0.0.1:9/alpha.xml" htmlUrl="http://127.0.0.1:9/"/>
    <outline type="rss" text="Beta" xmlUrl="http://127.0.0.1:9/beta.xml"/>
  </outline>
</body></opml>"""


def test_every_command_has_help() -> None:
    for command in ([], ["init"], ["fetch"], ["serve"], ["run"], ["demo"], ["extract"],
                    ["sources"], ["sources", "add"], ["sources", "list"], ["sources", "remove"],
                    ["sources", "import"], ["sources", "export"]):  # fmt: skip
        result = run_cli(*command, "--help", database_url="sqlite:///unused.db")
        assert result.returncode == 0, (command, result.stderr)
        assert "Usage" in result.stdout


def test_commands_before_init_fail_with_one_clear_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = run_cli("sources", "list", database_url=url)
    assert result.returncode == 1
    assert "wirebrief init" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_database_url_is_a_clear_error() -> None:
    result = run_cli("init", database_url="nosuchdb://x")
    assert result.returncode == 1
    assert "cannot use database URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    first = run_cli("init", database_url=url)
    second = run_cli("init", database_url=url)
    assert first.returncode == second.returncode == 0
    assert "up to date" in second.stdout


def test_sources_add_list_remove_import_export(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    run_cli("init", database_url=url)
    feed = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Fixture Feed Title</title>'
        b"<link>http://127.0.0.1/</link><description>d</description></channel></rss>"
    )
    with FixtureServer({"/feed.xml": Route(feed, content_type="application/rss+xml")}) as server:
        added = run_cli("sources", "add", server.url("/feed.xml"), database_url=url)
    assert added.returncode == 0, added.stderr
    assert "Fixture Feed Title" in added.stdout
    offline = ("sources", "add", "http://127.0.0.1:9/x.xml", "--kind", "feed", "--name", "X")
    assert run_cli(*offline, database_url=url).returncode == 0
    again = run_cli(*offline, database_url=url)
    assert again.returncode == 1 and "already registered" in again.stderr

    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    imported = run_cli("sources", "import", str(opml), database_url=url)
    assert "2 new sources" in imported.stdout
    assert "0 new sources" in run_cli("sources", "import", str(opml), database_url=url).stdout

    listed = json.loads(run_cli("sources", "list", "--json", database_url=url).stdout)
    assert [s["name"] for s in listed] == ["Fixture Feed Title", "X", "Alpha", "Beta"]
    assert run_cli("sources", "remove", str(listed[1]["id"]), database_url=url).returncode == 0
    missing = run_cli("sources", "remove", "999", database_url=url)
    assert missing.returncode == 1 and "no source 999" in missing.stderr

    exported = run_cli("sources", "export", database_url=url).stdout
    assert exported.startswith("<?xml") and 'version="2.0"' in exported
    assert "http://127.0.0.1:9/alpha.xml" in exported and "x.xml" not in exported


def test_default_opml_imports_without_contacting_anyone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    run_cli("init", database_url=url)
    opml = Path(__file__).parents[2] / "sources" / "default.opml"
    imported = run_cli("sources", "import", str(opml), database_url=url)
    assert imported.returncode == 0, imported.stderr
    listed = json.loads(run_cli("sources", "list", "--json", database_url=url).stdout)
    assert len(listed) >= 12
    assert all(s["last_polled_at"] is None for s in listed)


TESTDATA = Path(__file__).with_name("testdata")


def test_extract_prints_one_json_line_per_input(tmp_path: Path) -> None:
    inputs = [
        TESTDATA / "repost-with-footer-and-chrome.html",
        TESTDATA / "original-article.html",
        TESTDATA / "original-article.html.gz",
        tmp_path / "missing.html",
    ]
    result = run_cli("extract", *map(str, inputs), database_url="sqlite:///unused.db")
    assert result.returncode == 1  # one input failed
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["input"] for line in lines] == [str(path) for path in inputs]

    repost, original, gzipped, missing = lines
    assert repost["title"] == "Orchard Motors Opens AI Training Hub in Lisbon"
    assert repost["author"] == "Maya Ferreira"
    assert repost["published"] == "2026-11-19T14:05:00+01:00"
    assert repost["lang"] == "en"
    assert repost["origin"] == {
        "name": "Orchard Wire",
        "url": "https://orchard-wire.example/2026/11/orchard-lisbon-ai-hub",
    }
    text = repost["text"]
    assert text.startswith("Orchard Motors has opened a training centre in Lisbon")
    assert "Why Lisbon" in text and "9,000 accelerators" in text and "Ana Sousa" in text
    for chrome in (
        "appeared first on",
        "You May Also Like",
        "must not end up",
        "cookies",
        "Share this",
    ):
        assert chrome not in text
    assert repost["reading_minutes"] == 1
    assert set(repost) >= {"input", "title", "author", "site_name", "published", "lang", "text",
                           "reading_minutes", "origin"}  # fmt: skip

    # Fields added by issue 4 (the contract only grows).
    assert repost["authors"] == ["Maya Ferreira"]
    assert repost["modified"] is None
    assert repost["canonical_url"] is None  # a saved file without a declared canonical
    assert repost["image"] is None
    assert repost["origin_chain"] == [repost["origin"]]
    assert repost["author_tldr"] == []

    assert original["origin"] is None
    assert original["origin_chain"] == []
    assert original["canonical_url"] == "https://coastline-ledger.example/2026/11/harbour-terminal"
    assert original["site_name"] == "Coastline Ledger"
    assert original["published"] == "2026-11-18T08:00:00-05:00"
    assert gzipped["text"] == original["text"]
    assert "error" in missing


def test_extract_fetches_urls_from_loopback() -> None:
    page = (TESTDATA / "original-article.html").read_bytes()
    with FixtureServer({"/a.html": Route(page)}) as server:
        result = run_cli("extract", server.url("/a.html"), database_url="sqlite:///unused.db")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["title"] == "Harbour Authority Approves Second Container Terminal"
    # Served from 127.0.0.1, the page names another host as canonical: it is a copy of that.
    assert record["origin"]["url"] == "https://coastline-ledger.example/2026/11/harbour-terminal"
