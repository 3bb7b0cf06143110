"""Make a source sentence stand alone as a bullet, by deletion only.

Datelines, "Scroll down for video", picture asides and (in English) attribution clauses and
leading connectives are cut; nothing is added or reworded except the first letter's case.
Quotations keep their speaker: a quote without its source would mislead.

A bullet still over its word budget loses asides next (parentheses, dashes, and in English
non-restrictive "who"/"which" clauses and appositives after a name), least informative
first; an aside holding a number is kept, since numbers are what news readers come for.
"""

from __future__ import annotations

import re

from wirebrief.summarize.language import base_language

_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .,'’-]{1,40}\s*)?\((?:AP|AFP|Reuters|CNN|Bloomberg|dpa|UPI)\)\s*[-–—]*\s*"
    r"|^[A-Z][A-Z .'’-]{2,30}\s*[-–—]{1,2}\s+(?=[A-Z])"
)
_PROMPTS = re.compile(r"^(?:scroll down (?:for|to) (?:video|watch)|click here|watch)[.:]?\s+", re.I)
_ASIDE = re.compile(
    r"\s*\((?:pictured|file photo|file|left|right|centre|center|above|below|top|bottom|inset)"
    r"(?:,? (?:left|right|centre|center|above|below))?\)",
    re.I,
)
_QUOTES = re.compile(r"[\"“”«»]|(?:^|\s)['‘][A-Z]")

# English attribution and connectives; the clause must be short, so a claim is never cut.
_REPORTING = r"(?:said|says|told|added|reported|reports|claimed|claims|stated|explained|noted)"
_SPEAKER = r"(?:[\w’'.-]+\s+){0,5}?[\w’'.-]+"
_APPOSITIVE = rf"(?:,\s+{_SPEAKER})?"  # ", a Tesla vice president"
_WHERE = r"(?:\s+(?:on|in|at|to|during|last|this)\s+[\w’'.-]+(?:\s+[\w’'.-]+){0,3})?"
_EN_ATTRIBUTION_END = re.compile(
    rf",\s+(?:{_SPEAKER}\s+{_REPORTING}|(?:{_REPORTING}|according\s+to)\s+{_SPEAKER}{_APPOSITIVE})"
    rf"{_WHERE}(?=[.!?]?$)",
    re.I,
)
_EN_ATTRIBUTION_MID = re.compile(rf",\s+(?:{_SPEAKER}\s+{_REPORTING}|according to {_SPEAKER}),\s+")
_EN_ACCORDING_START = re.compile(rf"^according to {_SPEAKER}{_APPOSITIVE},\s+", re.I)
_EN_CONNECTIVE = re.compile(
    r"^(?:however|but|and|meanwhile|also|still|yet|instead|moreover|furthermore|additionally|"
    r"in addition|separately|elsewhere|overall|now)\b,?\s+",
    re.I,
)
MIN_WORDS_LEFT = 6

# Where a long sentence may end early without changing what the kept part says: before an
# elaboration ("which", "who", a participle, a dash). "But" and "although" clauses qualify
# the claim and "after", "when", "as" ones often carry the event itself, so they stay.
_CLAUSE_BREAK = re.compile(r"\s[-–—]\s|;\s|,\s(?=(?:which|who)\s|[a-z]{3,}ing\s)")

# Asides a sentence reads correctly without, in the order they are given up; what a rule
# matches is replaced by its "keep" group.
_ASIDES = (
    re.compile(r"\s*\([^()\d]{1,80}\)(?P<keep>)"),  # (management), (pictured)
    re.compile(r"\s[-–—]\s[^-–—\d]{1,100}?\s[-–—](?P<keep>\s)"),  # " - and out of the way - "
)
_EN_ASIDES = (
    re.compile(r",\s(?:who|which|whose)\s[^,\d]{1,100},(?P<keep>\s)"),  # ", who lives in LA, "
    # An appositive after a name: "Ben Elton, the comedian, said".
    re.compile(r"(?P<keep>\b[A-Z][\w’'-]*),\s(?:a|an|the|his|her|their|its)\s[^,\d]{1,60},(?=\s)"),
)


def trim_sentence(sentence: str, lang: str | None = None) -> str:
    """The sentence without datelines, asides and, in English, attribution and connectives."""
    text = _PROMPTS.sub("", _DATELINE.sub("", sentence.strip()))
    text = _ASIDE.sub("", text)
    if base_language(lang) in (None, "en") and not _QUOTES.search(text):
        text = _trim_english(text)
    if len(text.split()) < MIN_WORDS_LEFT:
        return sentence.strip()
    return text[:1].upper() + text[1:]


def drop_asides(sentence: str, max_words: int, lang: str | None = None) -> str:
    """The sentence without asides, least informative first, until it fits ``max_words``."""
    rules = _ASIDES + (_EN_ASIDES if base_language(lang) in (None, "en") else ())
    text = sentence
    for rule in rules:
        if len(text.split()) <= max_words:
            break
        shorter = rule.sub(r"\g<keep>", text)
        if len(shorter.split()) >= MIN_WORDS_LEFT:
            text = shorter
    return text


def _trim_english(text: str) -> str:
    trimmed = _EN_ACCORDING_START.sub("", text)
    trimmed = _EN_ATTRIBUTION_MID.sub(", ", trimmed)
    trimmed = _EN_ATTRIBUTION_END.sub("", trimmed)
    trimmed = _EN_CONNECTIVE.sub("", trimmed)
    if trimmed != text and trimmed[-1:] not in ".!?":
        trimmed += "."
    return trimmed


def shorten(sentence: str, max_words: int) -> str:
    """The sentence, ended at its last clause break within ``max_words`` when it is longer."""
    if len(sentence.split()) <= max_words:
        return sentence
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence)]
    fitting = [b for b in breaks if 8 <= len(sentence[:b].split()) <= max_words]
    if not fitting:
        return sentence
    return sentence[: fitting[-1]].rstrip(" ,;:-–—") + "."
