"""Faithfulness checks: numbers by value, names as written, lengths and counts."""

from __future__ import annotations

import pytest

from tests.summarize.articles import TEXT, TITLE
from wirebrief.summarize.checks import SourceFacts, tldr_problem, unsupported
from wirebrief.summarize.language import detect_language, is_in_language
from wirebrief.summarize.tldr import Tldr

FACTS = SourceFacts.of(
    TITLE, TEXT + "\nThree analysts and 104,000 investors followed the U.S. bank."
)


@pytest.mark.parametrize(
    "line",
    [
        "Orchard Bank's profit rose 12% to $4.2 billion.",
        "Profit reached $4,200 million.",  # the same amount at another scale
        "Revenue beat the $17.9bn forecast.",
        "About 104k investors followed the US bank.",  # "104,000", "U.S."
        "3 analysts followed it.",  # "Three" in the source
        "Shares rose 3.1% in New York.",  # sentence-initial word found in any case
        "The dividend rises by 5 cents.",
    ],
)
def test_supported_lines(line: str) -> None:
    assert unsupported(line, FACTS, "en") == []


@pytest.mark.parametrize(
    ("line", "missing"),
    [
        ("Profit rose 41% to $4.2 billion.", ["41"]),
        ("Profit reached $4.2 million.", ["4.2"]),  # wrong scale
        ("Chief executive John Smith spoke.", ["John", "Smith"]),
        ("Apple lent more in New York.", ["Apple"]),
        ("Lending grew at the SEC's urging.", ["SEC"]),
    ],
)
def test_invented_numbers_and_names_are_found(line: str, missing: list[str]) -> None:
    assert unsupported(line, FACTS, "en") == missing


def test_tldr_problems_name_the_rule_broken() -> None:
    ok = Tldr("Profit rose 12%.", ("Profit rose 12%.", "Revenue climbed.", "Shares rose 3.1%."),
              "llm")  # fmt: skip
    assert tldr_problem(ok, FACTS, "en") is None
    assert "2 bullets" in tldr_problem(Tldr("Profit rose.", ok.bullets[:2], "llm"), FACTS, "en")
    six = Tldr("Profit rose.", ok.bullets * 2, "llm")
    assert "6 bullets" in tldr_problem(six, FACTS, "en")
    long = Tldr(" ".join(["Profit rose"] * 20), ok.bullets, "llm")
    assert "headline is longer" in tldr_problem(long, FACTS, "en")
    invented = Tldr("Profit rose.", (*ok.bullets[:2], "Shares rose 9%."), "llm")
    assert tldr_problem(invented, FACTS, "en") == "bullet 3 mentions 9, not in the article"
    empty = Tldr("", ok.bullets, "llm")
    assert tldr_problem(empty, FACTS, "en") == "the headline is empty"


def test_language_guess_and_check() -> None:
    assert detect_language("The bank said on Tuesday that it would raise the dividend.") == "en"
    assert (
        detect_language("Die Bank teilte am Dienstag mit, dass sie die Dividende erhöht.") == "de"
    )
    assert detect_language("果园银行第三季度利润增长。") == "zh"
    assert detect_language("株価は下がった。") == "ja"
    assert detect_language("12345 67890") is None
    assert is_in_language("The bank raised its dividend for the year.", "en")
    assert not is_in_language("Die Bank hat die Dividende für das Jahr erhöht.", "en")
    assert not is_in_language("The bank raised its dividend for the year.", "zh")
    assert is_in_language("Whatever this is.", "xx")  # no list for it: cannot tell, so pass
