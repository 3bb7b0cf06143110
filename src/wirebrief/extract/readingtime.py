"""Reading time: words per minute, or characters per minute for CJK scripts."""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def reading_minutes(text: str, words_per_minute: int = 230, cjk_chars_per_minute: int = 500) -> int:
    """Whole minutes to read ``text``, at least 1 for any non-empty text."""
    if not text.strip():
        return 0
    cjk_chars = len(_CJK.findall(text))
    words = len(_CJK.sub(" ", text).split())
    minutes = words / words_per_minute + cjk_chars / cjk_chars_per_minute
    return max(1, round(minutes))
