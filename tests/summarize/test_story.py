"""Story TLDRs: bullets from different sources, no two saying the same thing."""

from __future__ import annotations

from tests.summarize.articles import TEXT, TITLE
from wirebrief.summarize import StoryArticle, summarize_story
from wirebrief.summarize.extractive import cosine, tfidf_vectors
from wirebrief.summarize.language import content_tokens

WIRE = StoryArticle("Ledger Lantern", TITLE, TEXT)
COPY = StoryArticle("Coin Relay", TITLE, TEXT)  # a syndicated copy says nothing new
ANALYSIS = StoryArticle(
    "Harbor Street",
    "What Orchard Bank's results mean for lenders",
    "Orchard Bank's results suggest that small-business lending is recovering across the "
    "region.\n\nRival lenders such as Pine Credit have reported slower growth this year.\n\n"
    "Investors will watch whether the bank's provisions for bad loans keep rising.",
)


def test_bullets_come_from_different_sources_without_repeats() -> None:
    tldr = summarize_story([WIRE, COPY, ANALYSIS])
    assert tldr.method == "extractive"
    assert 3 <= len(tldr.bullets) <= 5
    assert len(tldr.sources) == len(tldr.bullets)
    assert "Harbor Street" in tldr.sources
    assert set(tldr.sources) >= {"Harbor Street"} and len(set(tldr.sources)) >= 2
    vectors = tfidf_vectors([content_tokens(b, "en") for b in tldr.bullets])
    for i in range(len(vectors)):
        for j in range(i + 1, len(vectors)):
            assert cosine(vectors[i], vectors[j]) < 0.5
    assert len(set(tldr.bullets)) == len(tldr.bullets)
    assert tldr.headline


def test_every_bullet_is_a_sentence_of_its_source() -> None:
    tldr = summarize_story([WIRE, ANALYSIS])
    texts = {WIRE.source: WIRE.text, ANALYSIS.source: ANALYSIS.text}
    for source, bullet in zip(tldr.sources, tldr.bullets, strict=True):
        assert bullet.rstrip(".")[:40] in texts[source]


def test_plain_tuples_work_too() -> None:
    as_tuples = summarize_story([(a.source, a.title, a.text) for a in (WIRE, ANALYSIS)])
    assert as_tuples == summarize_story([WIRE, ANALYSIS])


def test_empty_story_and_textless_articles() -> None:
    assert summarize_story([]).bullets == ()
    assert summarize_story([StoryArticle("A", "Only a title", "")]).headline == "Only a title"


def test_no_bullet_repeats_the_story_headline() -> None:
    tldr = summarize_story([WIRE, COPY, ANALYSIS])
    assert len(tldr.headline.split()) <= 20
    headline = set(content_tokens(tldr.headline, "en"))
    for bullet in tldr.bullets:
        shared = headline & set(content_tokens(bullet, "en"))
        assert len(shared) < 0.6 * len(headline), (tldr.headline, bullet)
