"""Pages for copy-family tests: articles of random words, the footer a copy carries, and a
page through the text stages with what a real page would state."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from wirebrief.article import ArticleDraft
from wirebrief.extract.provenance import Origin
from wirebrief.pipeline import process_text
from wirebrief.settings import Settings

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ORCHARD = Origin("Orchard", "https://orchard.example/fares")  # the origin, as copies name it
VOCABULARY = (
    "harbour", "council", "ferry", "tariff", "minister", "bank", "rate", "inflation", "shares",
    "bitcoin", "exchange", "regulator", "court", "ruling", "strike", "union", "wages", "port",
    "storm", "flood", "rescue", "hospital", "vaccine", "election", "poll", "candidate",
    "budget", "deficit", "bond", "yield", "oil", "gas", "pipeline", "mine", "copper", "gold",
    "quarter", "profit", "loss", "revenue", "forecast", "analyst", "investor", "fund",
    "merger", "deal", "lawsuit", "fine", "police", "arrest", "suspect", "witness", "report",
    "inquiry", "mayor", "village", "bridge", "railway", "airport",
)  # fmt: skip
PAYWALL = (
    "Subscribe to continue reading. This article is available to subscribers only. "
    "Already a subscriber? Log in to read the full story and our archive."
)


def article(seed: int, paragraphs: int = 8, words: int = 40) -> list[str]:
    """Paragraphs that no other seed shares a 5-word run with (in practice)."""
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(VOCABULARY) for _ in range(words)).capitalize() + "."
        for _ in range(paragraphs)
    ]


def footer(site: str) -> str:
    """The syndication footer a copy carries."""
    return f"The post Harbour fares rise again appeared first on {site}."


def draft_of(
    settings: Settings,
    url: str,
    paragraphs: list[str],
    *,
    hours: float = 0.0,
    chain: list[Origin] | None = None,
    canonical: str | None = None,
    title: str = "Harbour fares rise again",
    **page: Any,
) -> ArticleDraft:
    """One page through the text stages; ``chain`` is the provenance the page states,
    nearest copy first; ``page`` sets what extraction would find (author, description,
    image, lang)."""
    site = url.split("/")[2]
    draft = process_text(
        url, title, "\n\n".join(paragraphs), settings,
        site_name=site.split(".")[0].title(), published=T0 + timedelta(hours=hours),
    )  # fmt: skip
    if chain:  # what the attribute stage finds on a real page
        draft.origin_chain, draft.origin = chain, chain[-1]
    if canonical is not None:
        page["canonical_url"] = canonical
    if page:
        draft.page = dataclasses.replace(draft.extracted, **page)
    return draft
