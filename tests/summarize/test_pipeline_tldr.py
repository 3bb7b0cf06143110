"""TLDRs through the pipeline: the summarize stage in the workers, the LLM on the event loop."""

from __future__ import annotations

import asyncio
import pickle

from sqlalchemy import select

from tests.summarize.articles import GOOD_ANSWER, TEXT, TITLE
from tests.summarize.fake_llm import FakeLlm, Reply
from wirebrief.pipeline import (
    PAGE_STAGES,
    Ingestor,
    process_page,
    sanitize,
    summarize,
    weigh_terms,
)
from wirebrief.settings import Settings
from wirebrief.storage.db import Database
from wirebrief.storage.models import Article, LlmCacheEntry

PARAGRAPHS = "".join(f"<p>{p}</p>" for p in TEXT.split("\n\n") if p.strip())
PAGE = f"""<!DOCTYPE html><html lang="en"><head><title>{TITLE}</title></head>
<body><article><h1>{TITLE}</h1>{PARAGRAPHS}</article></body></html>"""
# A different article (identical texts would be collapsed into one by dedupe) with key points.
AUTHOR_PAGE = """<!DOCTYPE html><html lang="en"><head><title>Pine Credit slows</title></head>
<body><article><h1>Pine Credit slows</h1><p><strong>TLDR</strong></p><ul>
<li>Profit rose 12%.</li><li>Revenue beat forecasts.</li><li>The dividend goes up 5 cents.</li>
</ul><p>Pine Credit said lending growth slowed in the third quarter as demand for mortgages
cooled across the region.</p><p>The lender kept its forecast for the year and said it would
open two branches in the spring, its first new offices since the pandemic.</p></article>
</body></html>"""


def test_summarize_runs_before_sanitize_and_the_draft_stays_picklable() -> None:
    assert PAGE_STAGES[-3:] == (summarize, weigh_terms, sanitize)  # terms weigh the TLDR
    draft = process_page(PAGE, "https://bank.example/q3", Settings())
    assert draft.tldr is not None and draft.tldr.method == "extractive"
    assert draft.tldr.headline.startswith("Orchard Bank reported a 12% rise")
    copy = pickle.loads(pickle.dumps(draft.portable()))
    assert copy.tldr == draft.tldr


def test_the_authors_tldr_on_the_page_wins() -> None:
    draft = process_page(AUTHOR_PAGE, "https://bank.example/q3", Settings())
    assert draft.tldr is not None and draft.tldr.method == "author"
    assert draft.tldr.bullets == (
        "Profit rose 12%.", "Revenue beat forecasts.", "The dividend goes up 5 cents.")  # fmt: skip


def _ingest(settings: Settings, db: Database, pages: dict[str, str]) -> dict[str, Article]:
    async def run() -> None:
        async with Ingestor(db, settings) as ingestor:
            await ingestor.ingest_pages(
                ((url, html.encode(), "text/html", None) for url, html in pages.items()), None
            )

    asyncio.run(run())
    with db.session() as session:
        return {a.url: a for a in session.scalars(select(Article))}


def test_stored_articles_carry_their_tldr(settings: Settings, db: Database) -> None:
    stored = _ingest(settings, db, {"https://bank.example/q3": PAGE,
                                    "https://bank.example/tldr": AUTHOR_PAGE})  # fmt: skip
    plain, author = stored["https://bank.example/q3"], stored["https://bank.example/tldr"]
    assert plain.tldr_method == "extractive" and plain.tldr_note is None
    assert plain.tldr_bullets and plain.tldr_headline.startswith("Orchard Bank reported")
    assert not any(b.startswith("Orchard Bank reported") for b in plain.tldr_bullets)
    assert author.tldr_method == "author" and author.tldr_headline == "Profit rose 12%."


def test_a_configured_llm_summarizes_on_the_event_loop_and_caches(
    settings: Settings, db: Database
) -> None:
    with FakeLlm(Reply.json(GOOD_ANSWER)) as server:
        llm_settings = settings.with_overrides(
            llm_base_url=server.base_url, llm_model="tiny-model", llm_retries=0
        )
        stored = _ingest(llm_settings, db, {"https://bank.example/q3": PAGE,
                                            "https://bank.example/tldr": AUTHOR_PAGE})  # fmt: skip
    article = stored["https://bank.example/q3"]
    assert article.tldr_method == "llm"
    assert article.tldr_bullets == GOOD_ANSWER["bullets"]
    assert stored["https://bank.example/tldr"].tldr_method == "author"  # never sent
    assert len(server.requests) == 1
    with db.session() as session:
        assert len(session.scalars(select(LlmCacheEntry)).all()) == 1


def test_a_rejected_llm_answer_is_recorded_in_the_note(settings: Settings, db: Database) -> None:
    invented = {**GOOD_ANSWER, "headline": "Orchard Bank profit rose 41% to $9 billion."}
    with FakeLlm(Reply.json(invented)) as server:
        llm_settings = settings.with_overrides(llm_base_url=server.base_url, llm_model="m")
        stored = _ingest(llm_settings, db, {"https://bank.example/q3": PAGE})
    article = stored["https://bank.example/q3"]
    assert article.tldr_method == "extractive"
    assert article.tldr_note == (
        "llm answer not used: the headline mentions 41, 9, not in the article"
    )
