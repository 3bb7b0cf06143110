"""The default summarizer: faithful source sentences, lead-aware, no repeats, author first."""

from __future__ import annotations

import re

from tests.summarize.articles import CHINESE_TEXT, GERMAN_TEXT, TEXT, TITLE
from wirebrief.summarize import summarize_article
from wirebrief.summarize.checks import SourceFacts, all_supported
from wirebrief.summarize.extractive import (
    MAX_SENTENCES,
    TLDR_WORDS,
    cosine,
    extractive_tldr,
    rank_sentences,
    tfidf_vectors,
)
from wirebrief.summarize.language import content_tokens
from wirebrief.summarize.sentences import sentence_texts


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _is_deletion_of_a_source_sentence(bullet: str, source: str) -> bool:
    """Every bullet word appears, in order, in one source sentence (only deletions)."""
    for sentence in sentence_texts(source):
        remaining = iter(_words(sentence))
        if all(word in remaining for word in _words(bullet)):
            return True
    return False


def test_bullets_are_source_sentences_with_every_number_and_name_in_the_source() -> None:
    tldr = summarize_article(TITLE, TEXT, lang="en")
    assert tldr.method == "extractive"
    assert 1 <= len(tldr.bullets) <= 5
    for line in (tldr.headline, *tldr.bullets):
        assert _is_deletion_of_a_source_sentence(line, TEXT), line
    assert all_supported((tldr.headline, *tldr.bullets), SourceFacts.of(TITLE, TEXT), "en")


def test_the_lead_comes_first_and_chrome_and_datelines_are_left_out() -> None:
    tldr = summarize_article(TITLE, TEXT, lang="en")
    assert tldr.headline == (
        "Orchard Bank reported a 12% rise in third-quarter profit on Tuesday, to $4.2 billion."
    )
    joined = " ".join(tldr.bullets)
    assert "Reuters" not in joined and "SPRINGFIELD" not in joined
    assert "Scroll down" not in joined and "newsletter" not in joined


def test_no_two_bullets_say_the_same_thing() -> None:
    # The fourth paragraph repeats the lead; MMR must not pick both.
    tldr = extractive_tldr(TITLE, TEXT, "en")
    vectors = tfidf_vectors([content_tokens(b, "en") for b in tldr.bullets])
    for i in range(len(vectors)):
        for j in range(i + 1, len(vectors)):
            assert cosine(vectors[i], vectors[j]) < 0.5, (tldr.bullets[i], tldr.bullets[j])
    assert not any(b.startswith("Orchard Bank's profit rose 12%") for b in tldr.bullets)


def test_bullets_stop_at_the_word_budget_but_never_below_three() -> None:
    short = "\n\n".join(f"District {n} gets a new harbour plan this year." for n in range(70))
    tldr = extractive_tldr("Plan", short, "en")
    assert len(tldr.bullets) == 5  # short bullets: room for five
    assert sum(len(b.split()) for b in tldr.bullets) <= TLDR_WORDS
    long = "\n\n".join(
        f"District {n} gets a new harbour plan with {n + 3} berths, a ferry terminal, a sea "
        f"wall and a park, the largest public works project in its history by far." for n in range(70)
    )  # fmt: skip
    assert len(extractive_tldr("Plan", long, "en").bullets) == 3  # over budget, still three
    assert len(extractive_tldr(TITLE, TEXT, "en").bullets) == 3


def test_bylines_and_update_stamps_are_not_bullets() -> None:
    text = ("By Jane Doe and John Roe, Reuters\nLast updated at 10:39 on 4 April 2015\n"
            "PUBLISHED: 12:01 EST, 3 April 2015 with the council in session\n" + TEXT)  # fmt: skip
    joined = " ".join(extractive_tldr(TITLE, text, "en").bullets)
    kept = rank_sentences(
        "By . Daily Mail Reporter .\nBy Monday the council had voted to sell.", "en"
    )
    assert [s.sentence.text for s in kept] == ["By Monday the council had voted to sell."]
    assert "Jane Doe" not in joined and "updated" not in joined and "PUBLISHED" not in joined


def test_only_the_opening_sentences_are_read() -> None:
    filler = "\n".join(
        f"Paragraph {n} describes the weather over the harbour again." for n in range(60)
    )
    late = "Orchard Bank reported a 12% rise in third-quarter profit on Tuesday, to $4.2 billion."
    ranked = rank_sentences(filler + "\n" + late, "en")
    assert len(ranked) <= MAX_SENTENCES
    assert all("Orchard" not in s.sentence.text for s in ranked)


def test_short_text_still_gets_a_tldr_and_empty_text_an_empty_one() -> None:
    tldr = summarize_article("Short", "Only one sentence here about the harbour plan.")
    assert tldr.bullets == ("Only one sentence here about the harbour plan.",)
    assert tldr.headline == "Short"  # the title heads it: the bullet is not said twice
    assert summarize_article("Title only", "").bullets == ()


def test_no_bullet_is_the_headlines_own_sentence_when_a_text_is_short() -> None:
    text = (
        "The Attorney General today had a constructive meeting with the Justice Minister.\n"
        "The two discussed how they can cooperate on international criminal justice.\n"
        "The Attorney General looks forward to future discussions with the ministry."
    )
    tldr = summarize_article("Readout of the Attorney General's meeting", text)
    assert tldr.headline not in tldr.bullets
    assert not any(tldr.headline.rstrip(".") in bullet for bullet in tldr.bullets)


def test_author_key_points_come_first() -> None:
    points = ["Profit rose 12% to $4.2 billion.", "  The dividend goes up 5 cents. ", ""]
    tldr = summarize_article(TITLE, TEXT, author_points=points)
    assert tldr.method == "author"
    assert tldr.bullets == ("Profit rose 12% to $4.2 billion.", "The dividend goes up 5 cents.")
    assert tldr.headline == "Profit rose 12% to $4.2 billion."


def test_key_points_opening_a_plain_text_are_the_authors() -> None:
    text = "TLDR\n- Profit rose 12%.\n- Revenue beat forecasts.\n\n" + TEXT
    tldr = summarize_article(TITLE, text)
    assert tldr.method == "author"
    assert tldr.bullets == ("Profit rose 12%.", "Revenue beat forecasts.")
    assert summarize_article(TITLE, "TLDR\n- only one point\n\n" + TEXT).method == "extractive"


def test_other_languages_are_summarized_in_their_own_words() -> None:
    german = summarize_article("Orchard Bank", GERMAN_TEXT, lang="de-DE")
    assert german.headline.startswith("Die Orchard Bank hat im dritten Quartal")
    assert all(b in GERMAN_TEXT for b in (german.headline, *german.bullets))
    chinese = summarize_article("果园银行", CHINESE_TEXT)  # language detected from the script
    assert chinese.bullets and all(b in CHINESE_TEXT for b in chinese.bullets)
    assert chinese.headline.startswith("果园银行第三季度利润")


def test_the_headline_is_one_short_line_and_no_bullet_repeats_it() -> None:
    tldr = extractive_tldr(TITLE, TEXT, "en")
    assert len(tldr.headline.split()) <= 20
    assert len(tldr.bullets) >= 3
    assert not any(b.startswith("Orchard Bank reported") for b in tldr.bullets)


# Long sentences without a clause break or aside that deletion could take out.
LONG_SENTENCES = """The harbour authority said on Monday that it would spend the next three years rebuilding the northern breakwater that was damaged in the winter storms and dredging the channel that leads to the container terminal.

Engineers working for the authority have found that the older sections of the wall that were built in the early years of the last century were undermined by currents far stronger than the designers expected.

Shipping companies that use the port have been told to expect delays of up to two days for the larger vessels while the work on the channel continues through the summer months of each year.

The council that owns a minority stake in the authority has asked for a public meeting so that residents living near the harbour can hear how the noise and traffic of the work will be managed.
"""


def test_without_a_short_sentence_the_headline_is_the_articles_own_title() -> None:
    title = "Harbour Breakwater to Be Rebuilt Over Three Years"
    tldr = extractive_tldr(title, LONG_SENTENCES, "en")
    assert tldr.headline == title
    assert len(tldr.bullets) >= 3
    untitled = extractive_tldr("", LONG_SENTENCES, "en")
    assert untitled.headline  # the best sentence, as short as deletion makes it
    assert untitled.headline not in untitled.bullets
