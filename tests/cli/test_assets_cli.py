"""``wirebrief assets``: the link contract, import, list and quote, as a user runs them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.support.articles import add_article
from tests.support.cli import run_cli
from wirebrief.storage import assets as asset_store
from wirebrief.storage import sources as source_store
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article

TESTDATA = Path(__file__).parents[1] / "markets" / "testdata"
ARTICLE = (
    "Shares of Tesla (TSLA) rose 4% on Tuesday. Elon Musk said deliveries would grow.\n\n"
    "Bitcoin and ether also climbed; the gold medal went to a swimmer from Union Street."
)


def test_link_prints_the_contract_about_first_then_mentions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"  # linking needs no database
    result = run_cli(
        "assets", "link", "-", "--title", "Tesla rallies", database_url=url, stdin=ARTICLE
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert set(printed) == {"assets", "mentions"}
    about, mentions = printed["assets"], printed["mentions"]
    assert [link["symbol"] for link in about] == ["TSLA"]
    assert [link["symbol"] for link in mentions] == ["BTC", "ETH"]  # a line at the end
    for link in about + mentions:
        assert set(link) == {"symbol", "name", "kind", "score", "evidence"}
    assert about[0]["name"] == "Tesla Inc." and about[0]["kind"] == "stock"
    assert about[0]["score"] > mentions[0]["score"] >= mentions[1]["score"] > 0
    assert about[0]["evidence"][0] == {
        "text": "Tesla", "start": 0, "end": 5, "field": "title", "kind": "name",
    }  # fmt: skip
    for item in about[0]["evidence"][1:] + mentions[0]["evidence"]:
        assert ARTICLE[item["start"] : item["end"]] == item["text"]
    assert not (tmp_path / "none.db").exists()


def test_link_reads_a_file_and_says_nothing_links_with_empty_lists(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("The union representing dock workers called off the strike.", encoding="utf-8")
    result = run_cli("assets", "link", str(path), database_url=f"sqlite:///{tmp_path / 'w.db'}")
    assert result.returncode == 0
    assert json.loads(result.stdout) == {"assets": [], "mentions": []}
    missing = run_cli("assets", "link", str(tmp_path / "nope.txt"), database_url="sqlite:///x.db")
    assert missing.returncode == 1
    assert "cannot read" in missing.stderr and "Traceback" not in missing.stderr


def test_link_jsonl_batches_with_bad_lines_reported(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "title": "Nvidia beats estimates", "text": "NVDA rose 4%."}),
        "",
        json.dumps({"id": 2, "title": "Olympic gold medal for Norway", "text": ""}),
        "{not json",
        json.dumps({"id": 3, "title": 5}),
    ]
    result = run_cli(
        "assets", "link", "--jsonl", "-", database_url=f"sqlite:///{tmp_path / 'w.db'}",
        stdin="\n".join(lines) + "\n",
    )  # fmt: skip
    assert result.returncode == 1  # some lines failed; the others still printed
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("id") for r in records] == ["a", 2, None, 3]
    assert [a["symbol"] for a in records[0]["assets"]] == ["NVDA"]
    assert records[0]["mentions"] == []
    assert records[1] == {"id": 2, "assets": [], "mentions": []}
    assert set(records[2]) == set(records[3]) == {"id", "line", "error"}
    assert records[2]["line"] == 4 and "not JSON" in records[2]["error"]
    assert "must be strings" in records[3]["error"]
    both = run_cli("assets", "link", "--jsonl", "--title", "T", "-", database_url="sqlite:///x.db")
    assert both.returncode == 2 and "--title" in both.stderr


def test_import_then_link_list_and_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    assert run_cli("init", database_url=url).returncode == 0
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text(
        "symbol,name,kind,exchange,currency,ticker,aliases,ambiguous,provider_ids\n"
        "ACME,Acme Rockets,stock,NYSE,USD,,Acme Rockets,,yahoo=ACME\n",
        encoding="utf-8",
    )
    imported = run_cli("assets", "import", str(csv_path), database_url=url)
    assert imported.returncode == 0, imported.stderr
    assert "1 new assets, 0 updated" in imported.stdout
    linked = run_cli("assets", "link", "-", database_url=url, stdin="Acme Rockets shares rose.")
    assert [link["symbol"] for link in json.loads(linked.stdout)["assets"]] == ["ACME"]
    listed = json.loads(run_cli("assets", "list", "--json", database_url=url).stdout)
    assert {"ACME", "TSLA", "BTC"} <= {row["symbol"] for row in listed}
    table = run_cli("assets", "list", "--kind", "commodity", database_url=url).stdout
    assert "XAU" in table and "TSLA" not in table
    csv_path.write_text("symbol,name,kind\nACME,Acme,bond\n", encoding="utf-8")
    bad = run_cli("assets", "import", str(csv_path), database_url=url)
    assert bad.returncode == 1 and "line 2: kind 'bond'" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_relink_decides_again_for_stored_articles_and_links_imported_assets(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    assert run_cli("init", database_url=url).returncode == 0
    db = Database(url)
    with db.session() as session:
        source_id = source_store.add_source(session, "http://127.0.0.1:1/f.xml", "Desk").id
        # stored before Acme was imported, with a link from an older linker
        add_article(
            session, "Acme Rockets Soars 20% After First Orbital Launch",
            "Acme Rockets shares jumped 20% on Monday after its first rocket reached orbit. "
            "The company said it would fly again in March.\n\nUnlike rivals such as Boeing, "
            "Acme builds its own engines.",
            assets=("BTC",), source_id=source_id,
        )  # fmt: skip
    csv_path = tmp_path / "mine.csv"
    csv_path.write_text(
        "symbol,name,kind,aliases\nACME,Acme Rockets,stock,Acme Rockets|Acme\n", encoding="utf-8"
    )
    assert run_cli("assets", "import", str(csv_path), database_url=url).returncode == 0
    result = run_cli("assets", "relink", database_url=url)
    assert result.returncode == 0, result.stderr
    assert "Linked 1 articles again: 1 links to assets they are about, 1 passing" in result.stdout
    with db.session() as session:
        (article,) = session.scalars(select(Article))
        links = asset_store.linked_assets(session, article.id)
        assert [(link.asset.symbol, link.role) for link in links] == [
            ("ACME", "about"), ("BA", "mention"),
        ]  # fmt: skip
    db.dispose()
    assert run_cli("assets", "relink", database_url=url).returncode == 0  # again: the same


def test_quote_from_price_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prices = tmp_path / "prices"
    prices.mkdir()
    shutil.copy(TESTDATA / "yahoo-export-with-null-row.csv", prices / "TSLA.csv")
    monkeypatch.setenv("WIREBRIEF_PRICES_DIR", str(prices))
    url = f"sqlite:///{tmp_path / 'w.db'}"
    text = run_cli("assets", "quote", "tsla", database_url=url)
    assert text.returncode == 0, text.stderr
    assert "TSLA Tesla Inc.: 418.30 USD ▲ +1.0 % (24 h), as of 2026-11-24" in text.stdout
    data = json.loads(run_cli("assets", "quote", "TSLA", "--json", database_url=url).stdout)
    assert data["last"] == 418.3 and data["provider"] == "files" and len(data["history"]) == 4
    missing = run_cli("assets", "quote", "NVDA", database_url=url)
    assert missing.returncode == 1 and "no price file for NVDA" in missing.stderr
    unknown = run_cli("assets", "quote", "NOPE", database_url=url)
    assert unknown.returncode == 1 and "there is no asset NOPE" in unknown.stderr


def test_assets_commands_have_help() -> None:
    for command in (["assets"], ["assets", "link"], ["assets", "import"], ["assets", "list"],
                    ["assets", "quote"], ["assets", "relink"]):  # fmt: skip
        result = run_cli(*command, "--help", database_url="sqlite:///unused.db")
        assert result.returncode == 0 and "Usage" in result.stdout
