"""An article's weighted terms, as related stories compare them: pure CPU work, so the page
stages compute it in their worker processes and hand it to the store stage with the page.

Sublinear term frequency times word rarity (wordfreq's offline lists stand in for IDF, as in
``stories.features``, so weights never drift as the corpus grows), title words counting
three times; terms are hashed to stable 64-bit ids (``article_terms.term``).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from wirebrief.search.query import words_of
from wirebrief.stories.features import TITLE_WEIGHT, normalise, top
from wirebrief.stories.lexicon import lexicon, stem

TERMS_PER_ARTICLE = 24
MAX_TEXT_CHARS = 20_000  # the top of a long article says what it is about


@dataclass(frozen=True)
class TermVector:
    """An article's term vector and the title and TLDR it was weighed with: a TLDR replaced
    after the page stages (an LLM's) makes it stale, and the store stage weighs again."""

    weights: dict[int, float]
    title: str
    tldr: str

    def fits(self, title: str, tldr: str) -> bool:
        """Whether these weights were computed from this title and TLDR."""
        return self.title == title and self.tldr == tldr


def term_vector(title: str, text: str, tldr: str = "", lang: str | None = None) -> dict[int, float]:
    """Hashed term → weight, L2-normalised, the ``TERMS_PER_ARTICLE`` strongest terms."""
    lex = lexicon(lang)
    counts: defaultdict[str, float] = defaultdict(float)
    rarity: dict[str, float] = {}
    for part, boost in ((title, TITLE_WEIGHT), (tldr, 1.0), (text[:MAX_TEXT_CHARS], 1.0)):
        for word in words_of(part):
            if len(word) < 3 or word.isdigit() or lex.is_stopword(word):
                continue
            key = stem(word) if lex.lang == "en" else word
            counts[key] += boost
            rarity.setdefault(key, lex.rarity(word))
    weights = {key: (1.0 + math.log(n)) * rarity[key] for key, n in counts.items()}
    return {_hash(key): w for key, w in normalise(top(weights, TERMS_PER_ARTICLE)).items()}


def weigh(title: str, text: str, tldr: str, lang: str | None) -> TermVector:
    """:func:`term_vector`, remembering what it was computed from."""
    return TermVector(term_vector(title, text, tldr, lang), title, tldr)


def tldr_text(headline: str | None, bullets: Sequence[object] | None) -> str:
    """The TLDR as the term vector reads it: headline and bullets, one string."""
    return " ".join([headline or "", *map(str, bullets or ())])


def _hash(key: str) -> int:
    """A stable signed 64-bit id for a term (fits BIGINT on every engine)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
