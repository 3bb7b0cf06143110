"""What one article says, as two weighted bags: content terms and event identifiers.

Terms are TF-IDF over stemmed words and adjacent word pairs, with IDF taken from wordfreq's
offline frequency lists (see ``lexicon``), so an article's features never depend on the rest
of the corpus: they are computed once, stored, and compared with any story. Entities are
names, amounts and dates (see ``entities``). Both bags are L2-normalised and cut to their
strongest entries, which bounds the cost of every comparison. Only the lead of a long
article is read (``LEAD_CHARS``), so the cost per article is bounded too.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from wirebrief.stories.entities import Token, name_entities, numeric_entities, tokens
from wirebrief.stories.lexicon import Lexicon, lexicon, stem

FEATURES_VERSION = 1
# A headline states the event in a dozen words: each of its words counts as three mentions.
TITLE_WEIGHT = 3.0
MAX_TERMS = 128
# News puts the who, where and when first: the lead is enough to tell events apart, and
# reading no further keeps the cost per article flat however long the page is.
LEAD_CHARS = 2500
MAX_ENTITIES = 32
# Word pairs ("sixth round", "cut jobs") are more specific than either word alone.
BIGRAM_BOOST = 1.5
# Acronyms name institutions (IBF, FBI, SEC) that recur across events of one kind.
ACRONYM_FACTOR = 0.5
# Names weigh at least this much: a common surname ("Thompson", the opponent) tells two
# events apart as well as a rare one ("Klitschko", the protagonist of both).
NAME_RARITY_FLOOR = 4.5
# Rarity given to identifiers that are not words, on the scale of ``Lexicon.rarity``
# (5.5 = a word used less than once per million).
_MONEY, _PERCENT, _COUNT, _NUMBER = 5.5, 4.5, 5.0, 4.0
_DAY, _MONTH, _YEAR = 4.5, 5.0, 3.0
_YEAR_KEY = re.compile(r"(?:19|20)\d\d")
_MONTH_KEY = re.compile(r"(?:19|20)\d\d-\d\d")
_DAY_KEY = re.compile(r"\d\d-\d\d")
_CASED = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class StoryFeatures:
    """An article's weighted content terms and entities, each an L2-normalised sparse vector."""

    terms: dict[str, float] = field(default_factory=dict)
    entities: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (weights rounded to 4 decimals)."""
        return {
            "v": FEATURES_VERSION,
            "terms": _rounded(self.terms),
            "entities": _rounded(self.entities),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryFeatures:
        """Inverse of ``to_json``."""
        return cls(
            terms={str(k): float(v) for k, v in data.get("terms", {}).items()},
            entities={str(k): float(v) for k, v in data.get("entities", {}).items()},
        )


def article_features(title: str, text: str, lang: str | None = None) -> StoryFeatures:
    """Features of one article from its title and plain text; ``lang`` is a BCP 47 tag."""
    lex = lexicon(lang)
    title, text = title or "", lead(text or "")
    caseless = not _has_case(title + " " + text[:2000])
    term_tf: defaultdict[str, float] = defaultdict(float)
    term_rarity: dict[str, float] = {}
    entity_tf: defaultdict[str, float] = defaultdict(float)
    entity_rarity: dict[str, float] = {}
    for part, boost in ((title, TITLE_WEIGHT), (text, 1.0)):
        toks = tokens(part)
        _count_terms(_words(toks, lex), lex, boost, term_tf, term_rarity)
        if not caseless:
            names, acronyms = name_entities(toks, lex)
            for name, count in names.items():
                entity_tf[name] += boost * count
                rarity = max(lex.rarity(name), NAME_RARITY_FLOOR)
                entity_rarity[name] = rarity * ACRONYM_FACTOR if name in acronyms else rarity
        for key, count in numeric_entities(part, lex).items():
            entity_tf[key] += boost * count
            entity_rarity[key] = _numeric_rarity(key)
    if caseless:
        # No capitals to find names by (CJK, Arabic, Hebrew, Thai): the rarest words stand in.
        rare = lex.rarity("")
        for key, tf in term_tf.items():
            if " " not in key and term_rarity[key] >= rare:
                entity_tf[key] += tf
                entity_rarity[key] = term_rarity[key]
    return StoryFeatures(
        terms=_weigh(term_tf, term_rarity, MAX_TERMS, tf_power=1.0),
        # Square-rooted TF: the protagonist, named twenty times, must not drown the opponent,
        # the venue and the date, which are what tell two events of one kind apart.
        entities=_weigh(entity_tf, entity_rarity, MAX_ENTITIES, tf_power=0.5),
    )


def lead(text: str, limit: int = LEAD_CHARS) -> str:
    """The text's first ``limit`` characters, cut back to the last whole word."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def _count_terms(
    words: Iterable[str | None],
    lex: Lexicon,
    boost: float,
    tf: defaultdict[str, float],
    rarity: dict[str, float],
) -> None:
    """Add stemmed words and pairs of adjacent content words (``None`` breaks a pair)."""
    previous: str | None = None
    english = lex.lang == "en"
    for word in words:
        if word is None:
            previous = None
            continue
        key = stem(word) if english else word
        tf[key] += boost
        if key not in rarity:
            rarity[key] = lex.rarity(word)
        if previous is not None:
            pair = f"{previous} {key}"
            tf[pair] += boost
            if pair not in rarity:
                rarity[pair] = BIGRAM_BOOST * (rarity[previous] + rarity[key]) / 2
        previous = key


def _words(toks: list[Token], lex: Lexicon) -> list[str | None]:
    """Content words in order: lowercase, CJK runs as character pairs, stopwords as None."""
    out: list[str | None] = []
    for tok in toks:
        if tok.gap != " " and (tok.gap.strip() or "\n" in tok.gap):
            out.append(None)  # punctuation or a line break between two words: not a phrase
        out.extend(_content(tok.text, lex))
    return out


@lru_cache(maxsize=65536)
def _content(text: str, lex: Lexicon) -> tuple[str | None, ...]:
    """What one written word adds to ``_words``: itself normalised, ``None``, or CJK pairs.

    Cached: an article repeats its words, and news repeats the language's.
    """
    word = text.lower().replace("’", "'").replace(".", "")
    if word.endswith(("'s", "'")):
        word = word.rsplit("'", 1)[0]
    if not word:
        return ()
    if _is_cjk(word[0]):
        # Overlapping character pairs already are phrases: no pairs of pairs.
        return tuple(p for i in range(max(len(word) - 1, 1)) for p in (word[i : i + 2], None))
    if len(word) > 1 and not lex.is_stopword(word):
        return (word,)
    return (None,)


def _numeric_rarity(key: str) -> float:
    if key[0] in "$€£¥":
        return _MONEY
    if key.endswith("%"):
        return _PERCENT
    if " " in key:
        return _COUNT
    if _YEAR_KEY.fullmatch(key):
        return _YEAR
    if _MONTH_KEY.fullmatch(key):
        return _MONTH
    if _DAY_KEY.fullmatch(key):
        return _DAY
    return _NUMBER


def _weigh(
    tf: dict[str, float], rarity: dict[str, float], limit: int, tf_power: float
) -> dict[str, float]:
    """Sublinear TF x rarity, strongest ``limit`` entries, L2-normalised."""
    weights = {k: (1.0 + math.log(n)) ** tf_power * rarity[k] for k, n in tf.items() if n >= 1}
    return normalise(top(weights, limit))


def top(weights: dict[str, float], limit: int) -> dict[str, float]:
    """The ``limit`` heaviest entries (ties broken by key, so results are reproducible)."""
    if len(weights) <= limit:
        return dict(weights)
    return dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


def normalise(weights: dict[str, float]) -> dict[str, float]:
    """Scale to unit L2 norm (empty stays empty)."""
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if norm == 0.0:
        return {}
    return {k: w / norm for k, w in weights.items()}


def _rounded(weights: dict[str, float]) -> dict[str, float]:
    return {k: round(w, 4) for k, w in weights.items()}


def _has_case(text: str) -> bool:
    """Whether the script distinguishes capitals (Latin, Greek, Cyrillic, Armenian)."""
    letters = "".join(_CASED.findall(text))
    if not letters:
        return False
    cased = sum(map(str.isupper, letters)) + sum(map(str.islower, letters))
    return cased >= 0.5 * len(letters)


def _is_cjk(char: str) -> bool:
    """Kana and Han ideographs: scripts written without spaces between words."""
    code = ord(char)
    return 0x3040 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
