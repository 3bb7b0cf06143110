"""The LLM backend against a fake OpenAI-compatible server: good and bad answers."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.summarize.articles import GOOD_ANSWER, TEXT, TITLE
from tests.summarize.fake_llm import FakeLlm, Reply
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.llmcache import DbCache
from wirebrief.storage.models import LlmCacheEntry
from wirebrief.summarize import (
    Document,
    LlmConfig,
    LlmSummarizer,
    MemoryCache,
    Tldr,
    summarize_article,
)
from wirebrief.summarize.llm import AnswerCache

DOC = Document(TITLE, TEXT, "en")
FALLBACK = summarize_article(TITLE, TEXT, lang="en")


def _config(server: FakeLlm, **options: Any) -> LlmConfig:
    values: dict[str, Any] = {"timeout_s": 5.0, "retries": 1, "backoff_s": 0.0}
    values.update(options)
    return LlmConfig(server.base_url, "tiny-model", api_key="sk-test", **values)


def _summarize(
    server: FakeLlm, doc: Document = DOC, cache: AnswerCache | None = None, **options: Any
) -> Tldr:
    async def run() -> Tldr:
        async with LlmSummarizer(_config(server, **options), cache) as llm:
            return await llm.summarize(doc, FALLBACK)

    return asyncio.run(run())


def _with(**changes: Any) -> dict[str, Any]:
    return {**GOOD_ANSWER, **changes}


def test_a_good_answer_is_used_and_the_request_is_strict() -> None:
    with FakeLlm(Reply.json(GOOD_ANSWER)) as server:
        tldr = _summarize(server)
    assert tldr.method == "llm"
    assert tldr.headline == GOOD_ANSWER["headline"]
    assert list(tldr.bullets) == GOOD_ANSWER["bullets"]
    assert tldr.note is None
    request = server.requests[0]
    assert request["model"] == "tiny-model" and request["temperature"] == 0
    system, user = request["messages"]
    assert "JSON" in system["content"] and "English" in system["content"]
    assert "exactly as the" in system["content"]
    assert user["content"].startswith(f"Title: {TITLE}")
    assert server.headers[0]["authorization"] == "Bearer sk-test"


def test_an_answer_in_a_code_fence_is_accepted() -> None:
    fenced = "Here you go:\n```json\n" + json.dumps(GOOD_ANSWER) + "\n```"
    with FakeLlm(Reply(fenced)) as server:
        assert _summarize(server).method == "llm"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (_with(bullets=[*GOOD_ANSWER["bullets"][:2], "Profit rose 41% in the quarter."]),
         "bullet 3 mentions 41, not in the article"),
        (_with(headline="Orchard Bank hires John Smith as chief economist."),
         "the headline mentions John, Smith, not in the article"),
        (_with(bullets=GOOD_ANSWER["bullets"][:2]), "2 bullets, not 3 to 5"),
        (_with(bullets=GOOD_ANSWER["bullets"] * 2), "6 bullets, not 3 to 5"),
        (_with(headline=" ".join(["Orchard Bank grew"] * 12)), "the headline is longer"),
        ({"summary": "no bullets"}, 'lacks "headline" or "bullets"'),
    ],
)  # fmt: skip
def test_a_bad_answer_falls_back_to_extractive_with_the_reason(
    answer: dict[str, Any], reason: str
) -> None:
    with FakeLlm(Reply.json(answer)) as server:
        tldr = _summarize(server)
    assert tldr.method == "extractive"
    assert tldr.bullets == FALLBACK.bullets
    assert tldr.note is not None and tldr.note.startswith("llm answer not used: ")
    assert reason in tldr.note


def test_an_answer_in_the_wrong_language_falls_back() -> None:
    german = {
        "headline": "Der Gewinn der Orchard Bank stieg um 12% auf $4.2 billion.",
        "bullets": [
            "Die Orchard Bank meldete einen Gewinn von $4.2 billion im Quartal.",
            "Der Umsatz stieg auf $18.6 billion und lag über den Erwartungen.",
            "Die Bank legte $310 million für faule Kredite zurück.",
        ],
    }
    with FakeLlm(Reply.json(german)) as server:
        tldr = _summarize(server)
    assert tldr.method == "extractive"
    assert tldr.note == "llm answer not used: it is not written in English"


def test_not_json_falls_back() -> None:
    with FakeLlm(Reply("Orchard Bank did well this quarter.")) as server:
        tldr = _summarize(server)
    assert tldr.note == "llm answer not used: the answer is not a JSON object"


def test_a_timeout_is_retried_then_falls_back() -> None:
    with FakeLlm(Reply.json(GOOD_ANSWER, delay_s=1.0)) as server:
        tldr = _summarize(server, timeout_s=0.2, retries=1)
    assert tldr.method == "extractive"
    assert tldr.note == "llm: timed out after 0.2 s (2 tries)"
    assert len(server.requests) == 2


def test_a_server_error_is_retried_and_the_second_answer_used() -> None:
    def script(number: int, body: dict[str, Any]) -> Reply:
        return Reply(status=503, body=b"{}") if number == 0 else Reply.json(GOOD_ANSWER)

    with FakeLlm(script) as server:
        tldr = _summarize(server, retries=2)
    assert tldr.method == "llm"
    assert len(server.requests) == 2


def test_a_refused_key_is_not_retried_and_says_what_to_check() -> None:
    with FakeLlm(Reply(status=401, body=b'{"error": "bad key"}')) as server:
        tldr = _summarize(server, retries=3)
    assert len(server.requests) == 1
    assert tldr.method == "extractive"
    assert "answered 401" in (tldr.note or "") and "WIREBRIEF_LLM_API_KEY" in (tldr.note or "")


def test_an_unreachable_endpoint_falls_back() -> None:
    config = LlmConfig("http://127.0.0.1:9/v1", "m", timeout_s=1.0, retries=0)

    async def run() -> Tldr:
        async with LlmSummarizer(config) as llm:
            return await llm.summarize(DOC, FALLBACK)

    tldr = asyncio.run(run())
    assert tldr.method == "extractive"
    assert "cannot reach http://127.0.0.1:9/v1/chat/completions" in (tldr.note or "")


def test_the_authors_tldr_is_never_sent() -> None:
    author = summarize_article(TITLE, TEXT, author_points=["Profit rose.", "Revenue rose."])

    async def run(server: FakeLlm) -> Tldr:
        async with LlmSummarizer(_config(server)) as llm:
            return await llm.summarize(DOC, author)

    with FakeLlm(Reply.json(GOOD_ANSWER)) as server:
        assert asyncio.run(run(server)) is author
    assert server.requests == []


def test_a_repeat_is_answered_from_the_cache() -> None:
    cache = MemoryCache()
    with FakeLlm(Reply.json(GOOD_ANSWER)) as server:
        first = _summarize(server, cache=cache)
        second = _summarize(server, cache=cache)
    assert first == second and first.method == "llm"
    assert len(server.requests) == 1


def test_answers_are_cached_in_the_llm_cache_table(settings: Settings, db: Database) -> None:
    with FakeLlm(Reply.json(GOOD_ANSWER)) as server:
        _summarize(server, cache=DbCache(db))
        again = _summarize(server, cache=DbCache(db))
    assert again.method == "llm" and len(server.requests) == 1
    with db.session() as session:
        entries = session.query(LlmCacheEntry).all()
    assert len(entries) == 1
    assert entries[0].model == "tiny-model" and len(entries[0].key) == 64
    assert json.loads(entries[0].response) == GOOD_ANSWER


def test_many_documents_are_sent_concurrently_within_the_bound_and_in_order() -> None:
    docs = [Document(f"{TITLE} ({n})", TEXT, "en") for n in range(6)]
    docs.append(docs[0])  # an identical request shares the first one's answer

    async def run(server: FakeLlm) -> list[Tldr]:
        async with LlmSummarizer(_config(server, concurrency=2)) as llm:
            return await llm.summarize_many([(doc, FALLBACK) for doc in docs])

    with FakeLlm(Reply.json(GOOD_ANSWER, delay_s=0.2)) as server:
        results = asyncio.run(run(server))
    assert [t.method for t in results] == ["llm"] * 7
    assert len(server.requests) == 6
    assert server.most_in_flight == 2
    titles = [r["messages"][1]["content"].split("\n")[0] for r in server.requests]
    assert sorted(titles) == sorted(f"Title: {doc.title}" for doc in docs[:6])


def test_configuration_comes_from_settings() -> None:
    assert LlmConfig.from_settings(Settings()) is None
    settings = Settings.from_env(
        {
            "WIREBRIEF_LLM_BASE_URL": "http://127.0.0.1:11434/v1/",
            "WIREBRIEF_LLM_MODEL": "llama3.2",
            "WIREBRIEF_LLM_API_KEY": "sk-secret",
            "WIREBRIEF_LLM_TIMEOUT": "30",
        }
    )
    config = LlmConfig.from_settings(settings)
    assert config is not None
    assert config.endpoint == "http://127.0.0.1:11434/v1/chat/completions"
    assert (config.model, config.api_key, config.timeout_s) == ("llama3.2", "sk-secret", 30.0)
    assert "sk-secret" not in repr(settings)


def test_a_broken_cache_costs_only_the_cache(tmp_path: Path) -> None:
    no_schema = Database(f"sqlite:///{tmp_path / 'empty.db'}")  # no llm_cache table
    with FakeLlm(Reply.json(GOOD_ANSWER)) as server:
        tldr = _summarize(server, cache=DbCache(no_schema))
    assert tldr.method == "llm"
    no_schema.dispose()
