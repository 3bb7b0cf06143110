"""TLDRs: the author's key points when an article has them, else an extractive summary
(offline, CPU only), optionally replaced by a checked answer from an LLM.

Public API::

    summarize_article(title, text, lang=..., author_points=...) -> Tldr
    summarize_story([StoryArticle(source, title, text), ...]) -> Tldr
    LlmSummarizer(LlmConfig(...)).summarize(Document(title, text, lang), fallback) -> Tldr
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wirebrief.summarize.author import author_tldr, find_key_points
from wirebrief.summarize.cache import MemoryCache
from wirebrief.summarize.extractive import extractive_tldr
from wirebrief.summarize.language import base_language, detect_language
from wirebrief.summarize.llm import Document, LlmConfig, LlmSummarizer
from wirebrief.summarize.sentences import Sentence, split_sentences
from wirebrief.summarize.story import StoryArticle, summarize_story
from wirebrief.summarize.tldr import Method, Tldr

__all__ = [
    "Document",
    "LlmConfig",
    "LlmSummarizer",
    "MemoryCache",
    "Method",
    "Sentence",
    "StoryArticle",
    "Tldr",
    "split_sentences",
    "summarize_article",
    "summarize_story",
    "tldr_columns",
]


def summarize_article(
    title: str,
    text: str,
    *,
    lang: str | None = None,
    author_points: Sequence[str] | None = None,
) -> Tldr:
    """The author's key points when given (or opening the text), else an extractive TLDR."""
    author = author_tldr(author_points) or author_tldr(find_key_points(text))
    if author is not None:
        return author
    return extractive_tldr(title, text, base_language(lang) or detect_language(text))


def tldr_columns(tldr: Tldr | None) -> dict[str, Any]:
    """The ``articles.tldr_*`` column values of a TLDR (all ``None`` without one)."""
    if tldr is None or not tldr.bullets:
        return {"tldr_headline": None, "tldr_bullets": None, "tldr_method": None,
                "tldr_note": None}  # fmt: skip
    return {
        "tldr_headline": tldr.headline,
        "tldr_bullets": list(tldr.bullets),
        "tldr_method": tldr.method,
        "tldr_note": tldr.note,
    }
