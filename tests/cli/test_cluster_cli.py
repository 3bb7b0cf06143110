"""``wirebrief cluster``: the batch contract, with no side effect on the user's database."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import run_cli

STORY = (
    "Harbourview council approved a 400 million dollar flood barrier on Tuesday after a "
    "six-hour meeting, mayor Ines Calloway said. Construction on the Marrow Point section "
    "starts in March and should finish before the 2029 storm season, engineers told the council."
)
OTHER = (
    "Quarry Lake Airport will close its second runway for resurfacing from June 3, the "
    "airport authority said on Friday, moving about 40 daily flights to the main runway."
)


def test_cluster_marks_copies_and_stories_without_touching_the_database(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "url": "https://harbour.example/barrier", "site": "Harbour Post",
         "title": "Council approves flood barrier", "text": STORY,
         "published": "2026-11-20T09:00:00+00:00"},
        {"id": "b", "url": "https://relay.example/barrier", "site": "Relay",
         "title": "Harbourview gets its flood barrier",
         "text": STORY + " The post Council approves flood barrier appeared first on Harbour Post.",
         "published": "2026-11-20T11:00:00+00:00"},
        {"id": 7, "url": None, "site": None, "title": "Runway closure", "text": OTHER,
         "published": None},
    ]  # fmt: skip
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    database = tmp_path / "mine.db"
    result = run_cli("cluster", str(source), database_url=f"sqlite:///{database}")
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", 7]
    assert out[0]["duplicate_of"] is None
    assert out[1]["duplicate_of"] == "a"
    assert out[0]["story_id"] == out[1]["story_id"] != out[2]["story_id"]
    assert out[2]["duplicate_of"] is None
    assert not database.exists()


def test_cluster_rejects_a_line_that_is_not_json(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": 1, "text": "x"}\nnot json\n')
    result = run_cli("cluster", str(source), database_url="sqlite:///unused.db")
    assert result.returncode == 2
    assert "line 2 is not JSON" in result.stderr
