"""The rule-based sentence splitter: abbreviations, initials, decimals, quotes, CJK."""

from __future__ import annotations

import pytest

from wirebrief.summarize.sentences import sentence_texts, split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Sen. Warren at 3 p.m. on Jan. 5. Then he left.",
            ["Mr. Smith met Sen. Warren at 3 p.m. on Jan. 5.", "Then he left."],
        ),
        ("Dr. Venter spoke. Prof. Lee replied.", ["Dr. Venter spoke.", "Prof. Lee replied."]),
        ("J. K. Rowling wrote it. George W. Bush read it.",
         ["J. K. Rowling wrote it.", "George W. Bush read it."]),
        ("The U.S. Army said so. The U.S. has 50 states.",
         ["The U.S. Army said so.", "The U.S. has 50 states."]),
        ("Deals at Acme Inc. Chief executive Jo Ray led them. She left Acme Inc. The firm grew.",
         ["Deals at Acme Inc. Chief executive Jo Ray led them.", "She left Acme Inc.",
          "The firm grew."]),
        ("He ranked No. 1 in the world. The answer was no. He left.",
         ["He ranked No. 1 in the world.", "The answer was no.", "He left."]),
        ("See e.g. the report. It said so.", ["See e.g. the report.", "It said so."]),
    ],
)  # fmt: skip
def test_abbreviations_and_initials_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert sentence_texts(text) == expected


def test_decimals_prices_and_thousands_stay_whole() -> None:
    text = "Shares rose 3.5% to $104.5. The index closed at 4,512.25 points. Gold hit 2.0x."
    assert sentence_texts(text) == [
        "Shares rose 3.5% to $104.5.",
        "The index closed at 4,512.25 points.",
        "Gold hit 2.0x.",
    ]


def test_quotes_end_where_the_quoted_sentence_ends() -> None:
    text = '"We will win," he said. "It is certain." She disagreed. "Is it over?" she asked.'
    assert sentence_texts(text) == [
        '"We will win," he said.',
        '"It is certain."',
        "She disagreed.",
        '"Is it over?" she asked.',
    ]
    curly = "“Prices will fall.” Analysts were unconvinced. ‘Maybe,’ one said."
    assert sentence_texts(curly) == ["“Prices will fall.”", "Analysts were unconvinced.",
                                     "‘Maybe,’ one said."]  # fmt: skip


def test_ellipsis_and_lowercase_continuations() -> None:
    assert sentence_texts("Wait... what happened? Nothing… Really.") == [
        "Wait... what happened?",
        "Nothing…",
        "Really.",
    ]


def test_paragraphs_glued_by_a_scraper_are_split() -> None:
    text = "the scientific community.Dr Venter has not gained a reputation.And he is wealthy."
    assert sentence_texts(text) == [
        "the scientific community.",
        "Dr Venter has not gained a reputation.",
        "And he is wealthy.",
    ]
    assert sentence_texts("Mrs.Smith arrived.") == ["Mrs.Smith arrived."]
    assert sentence_texts("It opens in March 2017.It was announced in May.") == [
        "It opens in March 2017.", "It was announced in May."]  # fmt: skip


def test_line_breaks_end_sentences_and_list_markers_are_dropped() -> None:
    sentences = split_sentences("Heading without stop\n\n- First item\n- Second item. More.\n")
    assert [s.text for s in sentences] == ["Heading without stop", "First item", "Second item.",
                                           "More."]  # fmt: skip
    assert [s.paragraph for s in sentences] == [0, 1, 2, 2]
    assert [s.index for s in sentences] == [0, 1, 2, 3]


def test_chinese_and_japanese_split_on_full_width_stops() -> None:
    assert sentence_texts("比特币上涨了。以太坊下跌！为什么？因为市场。") == [
        "比特币上涨了。", "以太坊下跌！", "为什么？", "因为市场。"]  # fmt: skip
    assert sentence_texts("「売る」と言った。株価は下がった。") == ["「売る」と言った。",
                                                                  "株価は下がった。"]  # fmt: skip


def test_empty_text_has_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("   \n\n  ") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acting Assistant Attorney General John P. Cronan of the Criminal Division spoke. "
         "He left.",
         ["Acting Assistant Attorney General John P. Cronan of the Criminal Division spoke.",
          "He left."]),
        ("Judge Karen O. Bowdre and Agent D. Richard Goss agreed. So did Ms. Art.",
         ["Judge Karen O. Bowdre and Agent D. Richard Goss agreed.", "So did Ms. Art."]),
        ("U.S. Attorney Jo Ray of the Southern District said so. Sen. Warren and Reps. Lee "
         "and Kim wrote to Gov. Hale.",
         ["U.S. Attorney Jo Ray of the Southern District said so.",
          "Sen. Warren and Reps. Lee and Kim wrote to Gov. Hale."]),
        ("The filing, No. 3 on the list, came on Jan. 5 and Sept. 11. Acme Inc. and Orchard "
         "Corp. settled.",
         ["The filing, No. 3 on the list, came on Jan. 5 and Sept. 11.",
          "Acme Inc. and Orchard Corp. settled."]),
        ("He was born in St. Louis and moved to Mt. Vernon. The store on Main St. closed.",
         ["He was born in St. Louis and moved to Mt. Vernon.", "The store on Main St. closed."]),
        ("The case is United States v. Jo Ray. It was filed in Miami, Fla. The trial ends.",
         ["The case is United States v. Jo Ray.", "It was filed in Miami, Fla.",
          "The trial ends."]),
        ("Martin Luther King Jr. Day fell on Monday. He moved to the U.S. Then he left.",
         ["Martin Luther King Jr. Day fell on Monday.", "He moved to the U.S.",
          "Then he left."]),
    ],
)  # fmt: skip
def test_names_titles_and_numbered_abbreviations_never_end_a_sentence(
    text: str, expected: list[str]
) -> None:
    assert sentence_texts(text) == expected


def test_real_sentence_ends_after_letters_and_abbreviations_still_split() -> None:
    text = ("He graded the test with a B. The class passed. It was in the U.S. During the "
            "war he left. Sales fell in Jan. Today they rose. Read p. 12. He was ill. Then "
            "he rested.")  # fmt: skip
    assert sentence_texts(text) == [
        "He graded the test with a B.", "The class passed.", "It was in the U.S.",
        "During the war he left.", "Sales fell in Jan.", "Today they rose.", "Read p. 12.",
        "He was ill.", "Then he rested.",
    ]  # fmt: skip
