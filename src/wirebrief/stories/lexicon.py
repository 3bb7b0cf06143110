"""Word rarity, stopwords and a light English stemmer: the language knowledge of stories.

Rarity stands in for IDF without a corpus: wordfreq ships word frequencies for about 40
languages inside its wheel, so a word's weight is known offline, from the first article on,
and does not drift as the database grows. Only the "small" lists are loaded (words used at
least once per million, about 30k per language, ~50 ms and ~3 MB each): anything rarer is
simply "rare", which is all a story grouper needs.
"""

from __future__ import annotations

import math
from functools import lru_cache

import wordfreq

# A word missing from the small list is rarer than Zipf 3 (once per million words).
UNLISTED_ZIPF = 2.5
# Zipf scale tops out near 8 ("the"); IDF-like weight is the distance from there.
_ZIPF_CEILING = 8.0
# Words this common carry no topic ("said", "people", "year") in any language.
STOP_ZIPF = 5.8


def wordset(text: str) -> frozenset[str]:
    """A set of words written as one whitespace-separated string (long lists stay readable)."""
    return frozenset(text.split())


# Function and reporting words below STOP_ZIPF that still say nothing about an event.
_EN_STOPWORDS = wordset(
    """
    a about above according across after afterwards again against ago all almost alone along
    already also although always am among an and another any anyone anything are around as
    at be became because become been before being below beside besides between beyond both
    but by can cannot could did do does doing done down during each either else enough even
    ever every few for former from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just last late later latest least
    less like likely made make many may me meanwhile might more most mostly much must my
    near nearly neither never next no nor not now of off often on once one only onto or other
    others otherwise our ours out over own per perhaps please quite rather really reported
    reportedly reuters said same says see seen several she should since so some still such
    than that the their them then there these they this those though through thus to told
    too toward towards under until up upon us very via was we well were what whatever when
    where whether which while who whom whose why will with within without would yet you your
    yesterday today tomorrow week weeks month months year years day days time times percent
    news report reports according statement told tell says say added adding also including
    amid despite per cent us mr mrs ms dr st jr inc ltd co corp plc
    """
)

WEEKDAYS = wordset(
    "monday tuesday wednesday thursday friday saturday sunday "
    "mon tue tues wed thu thur thurs fri sat sun"
)
MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


@lru_cache(maxsize=64)
def _frequencies(lang: str) -> dict[str, float]:
    """The language's small frequency list, or an empty one where wordfreq has none."""
    try:
        return wordfreq.get_frequency_dict(lang, wordlist="small")
    except (LookupError, ValueError):
        return {}


def primary_language(lang: str | None) -> str:
    """``"en-US"`` -> ``"en"``; unknown or missing -> ``"en"`` (our sources are mostly English)."""
    if not lang:
        return "en"
    return lang.replace("_", "-").split("-", 1)[0].lower() or "en"


class Lexicon:
    """Word statistics for one language: Zipf frequency, rarity weight, stopwords."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        # Zipf values and the stopword set are computed once per language: every article
        # looks up each of its words, so the per-word work must be one dict or set probe.
        self._zipf = {word: 9.0 + math.log10(f) for word, f in _frequencies(lang).items() if f}
        # Without a list, every word is "unknown": weights are flat but grouping still works.
        self.has_frequencies = bool(self._zipf)
        common = {word for word, zipf in self._zipf.items() if zipf >= STOP_ZIPF}
        self._stop = (_EN_STOPWORDS if lang == "en" else frozenset()) | common

    def zipf(self, word: str) -> float:
        """Zipf frequency of a lowercase word (log10 per billion words)."""
        return self._zipf.get(word, UNLISTED_ZIPF)

    def rarity(self, word: str) -> float:
        """IDF-like weight: ~0.3 for the commonest words, 5.5 for words under Zipf 3."""
        return max(_ZIPF_CEILING - self._zipf.get(word, UNLISTED_ZIPF), 0.25)

    def is_stopword(self, word: str) -> bool:
        """Function words, reporting verbs and anything as common as "said"."""
        return word in self._stop

    def is_listed(self, word: str) -> bool:
        """Whether the word is in the frequency list (used at least once per million words)."""
        return word in self._zipf


@lru_cache(maxsize=64)
def lexicon(lang: str | None) -> Lexicon:
    """The cached lexicon of a language tag."""
    return Lexicon(primary_language(lang))


_VOWELS = frozenset("aeiouy")
# Consonants English doubles before -ed/-ing.
_DOUBLED = frozenset("bdgmnprt")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: folds plurals and -ed/-ing so "checks", "checked" match.

    Deliberately conservative (no Porter): over-stemming merges topic words across events,
    which is exactly the confusion stories must avoid.
    """
    n = len(word)
    if n <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and n > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous")):
        word = word[:-1]
        n -= 1
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and n - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if not _VOWELS.intersection(base):
                break
            # "stopped" -> "stop", "planned" -> "plan"; "killed", "staffed" keep the pair
            if base[-1] == base[-2] and base[-1] in _DOUBLED:
                base = base[:-1]
            word = base
            break
    # "explode", "exploded", "exploding" -> "explod"
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word
