"""The TLDR of a story: key points across its articles, from different sources, no repeats."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from wirebrief.summarize.extractive import (
    Scored,
    cosine,
    pick_headline,
    rank_sentences,
    select_after_headline,
    tfidf_vectors,
)
from wirebrief.summarize.language import base_language, content_tokens, detect_language
from wirebrief.summarize.tldr import MAX_BULLETS, MIN_BULLETS, Tldr

PER_ARTICLE = 8  # candidates taken from each article: its lead and most central sentences


@dataclass(frozen=True)
class StoryArticle:
    """One article of a story, as plain data: who published it, its title and text."""

    source: str
    title: str
    text: str
    lang: str | None = None


def summarize_story(articles: Sequence[StoryArticle | tuple[str, str, str]]) -> Tldr:
    """A short headline and 3–5 bullets for a story, each bullet from a different source
    when possible, none repeating another or the headline; ``Tldr.sources`` names each
    bullet's source.

    ``articles`` are :class:`StoryArticle` or plain ``(source, title, text)`` tuples.
    """
    plain = [a if isinstance(a, StoryArticle) else StoryArticle(*a) for a in articles]
    candidates = _candidates(plain)
    if not candidates:
        title = plain[0].title.strip() if plain else ""
        return Tldr(title, (), "extractive")
    sources = {candidate.source for candidate in candidates}
    count = min(MAX_BULLETS, max(MIN_BULLETS, len(sources)), len(candidates))
    lead = pick_headline(candidates) or candidates[0]
    chosen = select_after_headline(candidates, lead, lead.vector, count, prefer_new_source=True)
    return Tldr(
        lead.headline,
        tuple(candidate.bullet for candidate in chosen),
        "extractive",
        sources=tuple(candidate.source for candidate in chosen),
    )


def _candidates(articles: Sequence[StoryArticle]) -> list[Scored]:
    """Each article's best sentences, re-scored in one vector space: own rank plus how many
    other sources report the same thing (a fact several outlets carry matters more).
    """
    pooled: list[Scored] = []
    tokens: list[list[str]] = []
    for article in articles:
        lang = base_language(article.lang) or detect_language(article.text)
        ranked = sorted(rank_sentences(article.text, lang, article.title), key=lambda s: -s.score)
        for candidate in ranked[:PER_ARTICLE]:
            pooled.append(replace(candidate, score=candidate.score / ranked[0].score,
                                  source=article.source))  # fmt: skip
            tokens.append(content_tokens(candidate.sentence.text, lang))
    vectors = tfidf_vectors(tokens)
    pooled = [replace(s, vector=v) for s, v in zip(pooled, vectors, strict=True)]
    sources = {s.source for s in pooled}
    others = max(1, len(sources) - 1)
    scored = []
    for candidate in pooled:
        support = sum(
            max((cosine(candidate.vector, o.vector) for o in pooled if o.source == source),
                default=0.0)
            for source in sources - {candidate.source}
        )  # fmt: skip
        scored.append(replace(candidate, score=candidate.score + support / others))
    return sorted(scored, key=lambda s: -s.score)
