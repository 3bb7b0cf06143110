"""Faithfulness checks: every number and proper name of a summary must occur in the source.

Numbers are compared by value ("1,200" = "1200"; "$104k" is found in "104,000"; "three"
counts as 3). A capitalised word inside a sentence is a name and must occur in the source
as written; a sentence's first word must occur in the source in any case, unless it is a
stop word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from wirebrief.summarize.language import stopwords
from wirebrief.summarize.sentences import sentence_texts
from wirebrief.summarize.tldr import MAX_BULLETS, MIN_BULLETS, Tldr

_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,\u00a0\u202f]\d+)*")
_TOKEN = re.compile(r"[^\W\d_][\w’'.&-]*")
_SCALE_AFTER = re.compile(r"\s?(k|mn|m|bn|b|tn|thousand|million|billion|trillion)\b", re.IGNORECASE)
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9,
          "b": 1e9, "billion": 1e9, "tn": 1e12, "trillion": 1e12}  # fmt: skip
_NUMBER_WORDS = {
    word: value
    for value, names in enumerate(
        [("zero",), ("one", "first", "single"), ("two", "second", "twice", "both"),
         ("three", "third"), ("four", "fourth"), ("five", "fifth"), ("six", "sixth"),
         ("seven", "seventh"), ("eight", "eighth"), ("nine", "ninth"), ("ten", "tenth"),
         ("eleven",), ("twelve", "dozen")]
    )
    for word in names
}  # fmt: skip
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90, "hundred": 100}  # fmt: skip

HEADLINE_MAX_WORDS = 30
HEADLINE_MAX_CHARS = 220
BULLET_MAX_WORDS = 40
BULLET_MAX_CHARS = 300


@dataclass(frozen=True)
class SourceFacts:
    """What a summary may mention: the source's numbers and words, precomputed once."""

    numbers: frozenset[float]
    words: frozenset[str]  # as written, dots removed ("U.S." → "US")
    folded: frozenset[str]  # lowercased

    @classmethod
    def of(cls, *texts: str) -> SourceFacts:
        """Facts of the source (title and text together)."""
        joined = "\n".join(texts)
        raw = _TOKEN.findall(joined)
        # "U.S." counts as "US"; "school.Half" (paragraphs glued by a scraper) as both words.
        tokens = [_name_key(token) for token in raw]
        tokens += [_name_key(part) for token in raw if "." in token for part in token.split(".")]
        # "1.2 billion" in the source supports both "$1.2bn" and a bare "1.2".
        numbers = {value for _, value in _numbers_with_text(joined)}
        numbers |= {value for _, value in _numbers_with_text(joined, scaled=False)}
        folded = {token.casefold() for token in tokens}
        numbers |= {value for word, value in {**_NUMBER_WORDS, **_TENS}.items() if word in folded}
        return cls(frozenset(numbers), frozenset(tokens), frozenset(folded))


def unsupported(summary_sentence: str, facts: SourceFacts, lang: str | None = None) -> list[str]:
    """Numbers and names in ``summary_sentence`` that the source does not contain."""
    missing = [text for text, value in _numbers_with_text(summary_sentence)
               if value not in facts.numbers]  # fmt: skip
    stop = stopwords(lang)
    for sentence in sentence_texts(summary_sentence):
        for position, token in enumerate(_TOKEN.findall(sentence)):
            key = _name_key(token)
            if _is_name(key, position == 0, stop, facts) and key not in facts.words:
                missing.append(re.sub(r"['’]s$", "", token).rstrip(".&-"))
    return missing


def _is_name(key: str, first: bool, stop: frozenset[str], facts: SourceFacts) -> bool:
    """Whether ``key`` is a name: capitalised inside a sentence, an acronym, or a sentence's
    first word that is neither a stop word nor in the source in any case.
    """
    if not key or not (key[0].isupper() or any(char.isupper() for char in key[1:])):
        return False
    if len(key) > 1 and key.isupper():
        return True  # an acronym: "US", "ETF", "SEC"
    # A capitalised first word may be any word ("The", "Shares"); later ones are names.
    return not (first and (key.casefold() in stop or key.casefold() in facts.folded))


def tldr_problem(tldr: Tldr, facts: SourceFacts, lang: str | None) -> str | None:
    """Why ``tldr`` may not be shown (length, count or invented facts), or ``None``."""
    return shape_problem(tldr) or facts_problem(tldr, facts, lang)


def shape_problem(tldr: Tldr) -> str | None:
    """A headline or bullet that is empty or too long, or too few or many bullets."""
    if not tldr.headline.strip():
        return "the headline is empty"
    if len(tldr.headline.split()) > HEADLINE_MAX_WORDS or len(tldr.headline) > HEADLINE_MAX_CHARS:
        return f"the headline is longer than {HEADLINE_MAX_WORDS} words"
    if not MIN_BULLETS <= len(tldr.bullets) <= MAX_BULLETS:
        return f"{len(tldr.bullets)} bullets, not {MIN_BULLETS} to {MAX_BULLETS}"
    for number, bullet in enumerate(tldr.bullets, 1):
        if not bullet.strip():
            return f"bullet {number} is empty"
        if len(bullet.split()) > BULLET_MAX_WORDS or len(bullet) > BULLET_MAX_CHARS:
            return f"bullet {number} is longer than {BULLET_MAX_WORDS} words"
    return None


def facts_problem(tldr: Tldr, facts: SourceFacts, lang: str | None) -> str | None:
    """The first headline or bullet that mentions a number or name not in the source."""
    for label, line in _lines(tldr):
        missing = unsupported(line, facts, lang)
        if missing:
            return f"{label} mentions {', '.join(dict.fromkeys(missing))}, not in the article"
    return None


def all_supported(lines: Iterable[str], facts: SourceFacts, lang: str | None = None) -> bool:
    """Whether every number and name of every line occurs in the source."""
    return not any(unsupported(line, facts, lang) for line in lines)


def _lines(tldr: Tldr) -> list[tuple[str, str]]:
    return [("the headline", tldr.headline)] + [
        (f"bullet {number}", bullet) for number, bullet in enumerate(tldr.bullets, 1)
    ]


def _name_key(token: str) -> str:
    """'Tesla’s' → 'Tesla', 'U.S.' → 'US', trailing punctuation dropped."""
    token = re.sub(r"['’]s$", "", token.rstrip(".’'-&"))
    return token.replace(".", "")


def _numbers_with_text(text: str, *, scaled: bool = True) -> list[tuple[str, float]]:
    """Each number as written and its value, scaled when a word like "million" follows."""
    found = []
    for match in _NUMBER.finditer(text):
        value = _parse_number(match.group(0))
        if value is None:
            continue
        scale = _SCALE_AFTER.match(text, match.end())
        if scale and scaled:
            value *= _SCALE[scale.group(1).lower()]
        found.append((match.group(0), round(value, 3)))
    return found


def _parse_number(raw: str) -> float | None:
    """'1,200' → 1200, '4.5' → 4.5, '1.234,5' → 1234.5, '3,5' → 3.5."""
    raw = raw.replace("\u00a0", "").replace("\u202f", "")
    separators = [c for c in raw if c in ".,"]
    if separators:
        decimal = separators[-1]
        head, _, tail = raw.rpartition(decimal)
        if len(set(separators)) == 1 and (len(separators) > 1 or len(tail) == 3):
            head, tail = raw.replace(decimal, ""), ""  # only thousands separators
        raw = head.replace(".", "").replace(",", "") + ("." + tail if tail else "")
    try:
        return float(raw)
    except ValueError:
        return None
