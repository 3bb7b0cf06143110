"""Language: stop words, content tokens and a language guess, offline.

Stop-word lists come from jusText (shipped with the package, 100 languages); Chinese and
Japanese are told by their script and tokenised as character bigrams.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

import justext

# ISO 639-1 code → jusText stop-word list.
STOPLISTS = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian",
    "fa": "Persian", "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi",
    "hr": "Croatian", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ko": "Korean",
    "lt": "Lithuanian", "lv": "Latvian", "ms": "Malay", "nb": "Norwegian_Bokmal",
    "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian",
    "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish", "tr": "Turkish",
    "uk": "Ukrainian", "vi": "Vietnamese",
}  # fmt: skip
NAMES = {**{code: name.split("_")[0] for code, name in STOPLISTS.items()},
         "zh": "Chinese", "ja": "Japanese"}  # fmt: skip

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SAMPLE_TOKENS = 400


def base_language(lang: str | None) -> str | None:
    """``en-GB`` → ``en``; ``None`` or empty stays ``None``."""
    if not lang:
        return None
    return lang.replace("_", "-").split("-")[0].strip().lower() or None


@cache
def stopwords(lang: str | None) -> frozenset[str]:
    """The stop words of a language (empty when we have no list for it)."""
    name = STOPLISTS.get(base_language(lang) or "")
    return frozenset(justext.get_stoplist(name)) if name else frozenset()


def words(text: str) -> list[str]:
    """Lowercased word tokens (apostrophes kept inside words)."""
    return _WORD.findall(text.casefold())


def content_tokens(text: str, lang: str | None) -> list[str]:
    """Tokens that carry meaning: stop words dropped; CJK runs as character bigrams."""
    tokens: list[str] = []
    for run in _CJK_RUN.findall(text):
        tokens.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    stop = stopwords(lang)
    tokens.extend(w for w in words(_CJK_RUN.sub(" ", text)) if w not in stop and len(w) > 1)
    return tokens


def detect_language(text: str) -> str | None:
    """A guess at the language of ``text`` (ISO 639-1), or ``None`` when unsure."""
    scores = language_scores(text)
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] >= 0.15 else None


def language_scores(text: str) -> dict[str, float]:
    """For each known language, the share of tokens that are its stop words (CJK: script)."""
    cjk = len(_HAN.findall(text)) + len(_KANA.findall(text))
    letters = sum(char.isalpha() for char in text) or 1
    if cjk / letters > 0.3:
        return {"ja" if _KANA.search(text) else "zh": cjk / letters}
    sample = words(text)[:_SAMPLE_TOKENS]
    if not sample:
        return {}
    hits = Counter(code for token in sample for code in _stop_languages().get(token, ()))
    return {code: hits[code] / len(sample) for code in STOPLISTS}


@cache
def _stop_languages() -> dict[str, tuple[str, ...]]:
    """Each stop word → the languages it is a stop word of (one look-up per token)."""
    languages: dict[str, list[str]] = {}
    for code in STOPLISTS:
        for word in stopwords(code):
            languages.setdefault(word, []).append(code)
    return {word: tuple(codes) for word, codes in languages.items()}


def is_in_language(text: str, lang: str | None) -> bool:
    """Whether ``text`` reads as ``lang``; ``True`` when we cannot tell (no list, too short).

    Close languages share many stop words, so the expected language needs to score near
    the best one, not to win outright.
    """
    expected = base_language(lang)
    if expected not in NAMES:
        return True
    scores = language_scores(text)
    if expected in {"zh", "ja"} or set(scores) & {"zh", "ja"}:
        return expected in scores
    if len(words(text)) < 4:
        return True
    best = max(scores.values(), default=0.0)
    return scores.get(expected, 0.0) >= max(0.1, 0.7 * best)
