"""``wirebrief tldr``: the JSON contract, one text or many lines, offline or with an LLM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.summarize.articles import GOOD_ANSWER, TEXT, TITLE
from tests.summarize.fake_llm import FakeLlm, Reply
from tests.support.cli import run_cli

UNUSED_DB = "sqlite:///does-not-exist/unused.db"


def test_a_text_file_prints_headline_bullets_and_method(tmp_path: Path) -> None:
    article = tmp_path / "article.txt"
    article.write_text(TEXT, encoding="utf-8")
    result = run_cli("tldr", str(article), "--title", TITLE, database_url=UNUSED_DB,
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert set(output) == {"headline", "bullets", "method"}
    assert output["method"] == "extractive"
    assert 3 <= len(output["bullets"]) <= 5
    assert output["headline"].startswith("Orchard Bank reported a 12% rise")
    assert output["headline"] not in output["bullets"]  # the bullets do not repeat the headline
    assert not (tmp_path / "does-not-exist").exists()  # no database is created for a cache


def test_standard_input_and_author_key_points() -> None:
    text = "Key points:\n- Profit rose 12%.\n- Revenue beat forecasts.\n\n" + TEXT
    result = run_cli("tldr", "-", database_url=UNUSED_DB, stdin=text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "headline": "Profit rose 12%.",
        "bullets": ["Profit rose 12%.", "Revenue beat forecasts."],
        "method": "author",
    }


def test_a_saved_page_goes_through_extraction(tmp_path: Path) -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in TEXT.split("\n\n") if p.strip())
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>"
                    f"{paragraphs}</article></body></html>", encoding="utf-8")  # fmt: skip
    result = run_cli("tldr", str(page), database_url=UNUSED_DB)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["headline"].startswith("Orchard Bank reported")


def test_jsonl_batch_keeps_order_ids_and_reports_bad_lines() -> None:
    lines = [
        {"id": "a", "title": TITLE, "text": TEXT},
        {"id": 7, "title": "Short", "text": "The harbour board approved the plan on Monday."},
        {"id": "bad"},
        {"id": "c", "title": "", "text": "TLDR\n- One.\n- Two.\n\nBody text follows here."},
    ]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\nnot json\n\n"
    result = run_cli("tldr", "--jsonl", database_url=UNUSED_DB, stdin=stdin)
    assert result.returncode == 1  # two bad lines; the good ones are still printed
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", 7, "bad", "c", None]
    assert set(records[0]) == {"id", "headline", "bullets", "method"}
    assert records[0]["method"] == "extractive"
    assert records[1]["bullets"] == ["The harbour board approved the plan on Monday."]
    assert records[2] == {"id": "bad", "error": 'each line needs a "text" string'}
    assert records[3]["method"] == "author"
    assert "error" in records[4]


def test_jsonl_with_an_llm_is_batched_and_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    invented = {**GOOD_ANSWER, "bullets": [*GOOD_ANSWER["bullets"][:2], "Profit rose 41%."]}

    def script(number: int, body: dict) -> Reply:
        return Reply.json(invented if "(bad)" in body["messages"][1]["content"] else GOOD_ANSWER)

    lines = [{"id": 1, "title": TITLE, "text": TEXT},
             {"id": 2, "title": TITLE + " (bad)", "text": TEXT}]  # fmt: skip
    with FakeLlm(script) as server:
        monkeypatch.setenv("WIREBRIEF_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("WIREBRIEF_LLM_MODEL", "tiny-model")
        result = run_cli("tldr", "--jsonl", database_url=UNUSED_DB,
                         stdin="\n".join(json.dumps(line) for line in lines))  # fmt: skip
        offline = run_cli("tldr", "--jsonl", "--no-llm", database_url=UNUSED_DB,
                          stdin=json.dumps(lines[0]))  # fmt: skip
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["method"] == "llm" and first["bullets"] == GOOD_ANSWER["bullets"]
    assert second["method"] == "extractive"
    assert len(server.requests) == 2
    assert json.loads(offline.stdout)["method"] == "extractive"


def test_usage_errors_are_one_line() -> None:
    missing = run_cli("tldr", "no-such-file.txt", database_url=UNUSED_DB)
    assert missing.returncode == 1
    assert "cannot read no-such-file.txt" in missing.stderr and "Traceback" not in missing.stderr
    nothing = run_cli("tldr", database_url=UNUSED_DB)
    assert nothing.returncode != 0 and "Traceback" not in nothing.stderr
    assert run_cli("tldr", "--help", database_url=UNUSED_DB).returncode == 0
