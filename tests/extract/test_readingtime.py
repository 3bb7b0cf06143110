"""Reading time: words per minute, CJK by characters."""

from __future__ import annotations

import pytest

from wirebrief.extract.readingtime import reading_minutes


def words(count: int) -> str:
    return " ".join(["word"] * count)


def test_460_words_at_230_wpm_is_two_minutes() -> None:
    assert reading_minutes(words(460), words_per_minute=230) == 2


@pytest.mark.parametrize("text", ["", "   ", "\n\t\n"])
def test_empty_text_is_zero(text: str) -> None:
    assert reading_minutes(text) == 0


def test_any_text_is_at_least_one_minute() -> None:
    assert reading_minutes("Short.") == 1


def test_words_per_minute_is_honoured() -> None:
    assert reading_minutes(words(1000), words_per_minute=100) == 10


def test_cjk_is_counted_by_characters() -> None:
    """1000 Han characters with no spaces: 2 minutes at 500 chars/min, not 1 'word'."""
    text = "漢" * 1000
    assert reading_minutes(text, cjk_chars_per_minute=500) == 2
    assert reading_minutes(text, cjk_chars_per_minute=250) == 4


def test_japanese_kana_and_korean_hangul_count_as_characters() -> None:
    assert reading_minutes("ひらがな" * 250, cjk_chars_per_minute=500) == 2
    assert reading_minutes("한국어" * 500, cjk_chars_per_minute=500) == 3


def test_mixed_scripts_add_up() -> None:
    """230 latin words (1 min) + 500 CJK characters (1 min) = 2 minutes."""
    text = words(230) + " " + "中" * 500
    assert reading_minutes(text, words_per_minute=230, cjk_chars_per_minute=500) == 2
