"""The default summarizer: faithful source sentences, lead-aware, no repeats, author first."""

from __future__ import annotations

import re

from tests.summarize.articles import CHINESE_TEXT, GERMAN_TEXT, TEXT, TITLE
from wirebrief.summarize import summarize_article
from wirebrief.summarize.checks import SourceFacts, all_supported
from wirebrief.summarize.extractive import cosine, extractive_tldr, shorten, tfidf_vectors
from wirebrief.summarize.language import content_tokens
from wirebrief.summarize.sentences import sentence_texts
from wirebrief.summarize.trim import trim_sentence


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
    assert tldr.bullets[0].startswith("Orchard Bank reported a 12% rise")
    assert tldr.headline.startswith("Orchard Bank reported a 12% rise")
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


def test_a_long_article_gets_more_bullets_than_a_short_one() -> None:
    paragraphs = [f"Item {n} of the list concerns the harbour plan for district {n} in detail."
                  for n in range(70)]  # fmt: skip
    long_text = "\n\n".join(paragraphs)
    assert len(extractive_tldr("Plan", long_text, "en").bullets) == 5
    assert len(extractive_tldr(TITLE, TEXT, "en").bullets) == 3


def test_short_text_still_gets_a_tldr_and_empty_text_an_empty_one() -> None:
    tldr = summarize_article("Short", "Only one sentence here about the harbour plan.")
    assert tldr.bullets == ("Only one sentence here about the harbour plan.",)
    assert summarize_article("Title only", "").bullets == ()


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


def test_attribution_and_connectives_are_trimmed_but_quotes_keep_their_speaker() -> None:
    said = "Revenue climbed to $18.6 billion in the quarter, the company said in a statement."
    assert trim_sentence(said, "en") == "Revenue climbed to $18.6 billion in the quarter."
    assert trim_sentence("Revenue rose to $18.6 billion, it said.", "en") == (
        "Revenue rose to $18.6 billion, it said."  # too little would be left
    )
    okafor = "According to Maria Okafor, the chief executive, demand grew in every region in May."
    assert trim_sentence(okafor, "en") == "Demand grew in every region in May."
    assert trim_sentence("However, the bank set aside $310 million for bad loans.", "en") == (
        "The bank set aside $310 million for bad loans."
    )
    quote = '"We are seeing demand from every region," Okafor told reporters.'
    assert trim_sentence(quote, "en") == quote
    german = "Die Aktie stieg um 3,1 Prozent, sagte ein Händler am Dienstag in Frankfurt."
    assert trim_sentence(german, "de") == german  # attribution rules are English only


def test_long_sentences_are_cut_at_a_clause_break_never_before_but() -> None:
    long = ("Tesla began offering paid robotaxi rides in Phoenix on Tuesday with no employee "
            "in the vehicle, expanding a service that until now has required a safety monitor "
            "on board in most cities.")  # fmt: skip
    assert shorten(long, 25) == ("Tesla began offering paid robotaxi rides in Phoenix on "
                                 "Tuesday with no employee in the vehicle.")  # fmt: skip
    caveat = ("The company beat estimates for the quarter across every one of its regions and "
              "segments, but warned that demand would weaken sharply next year in Europe.")  # fmt: skip
    assert shorten(caveat, 20) == caveat


def test_other_languages_are_summarized_in_their_own_words() -> None:
    german = summarize_article("Orchard Bank", GERMAN_TEXT, lang="de-DE")
    assert german.bullets[0].startswith("Die Orchard Bank hat im dritten Quartal")
    assert all(b in GERMAN_TEXT for b in german.bullets)
    chinese = summarize_article("果园银行", CHINESE_TEXT)  # language detected from the script
    assert chinese.bullets and all(b in CHINESE_TEXT for b in chinese.bullets)
    assert chinese.bullets[0].startswith("果园银行第三季度利润")
