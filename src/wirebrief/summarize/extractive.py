"""The default summarizer: whole source sentences, picked by position-aware centrality.

Sentences are TF-IDF vectors; a sentence is central when later sentences repeat its
content and earlier ones do not (PacSum's directed centrality: news states the point
first and elaborates after). A lead prior is added, then bullets are picked by maximal
marginal relevance within a word budget, so no two say the same thing and the whole TLDR
reads at a glance; each bullet is trimmed by deletion only (``trim.py``).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from wirebrief.summarize.language import content_tokens
from wirebrief.summarize.sentences import Sentence, split_sentences
from wirebrief.summarize.tldr import MAX_BULLETS, MIN_BULLETS, Tldr
from wirebrief.summarize.trim import drop_asides, shorten, trim_sentence

Vector = dict[str, float]

# Weights of PacSum's directed centrality (earlier and later edges) and of the lead prior.
BACKWARD_WEIGHT = -0.5
FORWARD_WEIGHT = 1.0
LEAD_WEIGHT = 3.0
LEAD_SPAN = 2.0  # candidates over which the lead prior halves: the opening paragraph
MMR_LAMBDA = 0.7  # relevance vs. novelty when picking the next bullet
DUPLICATE_SIMILARITY = 0.5  # cosine at or above which two sentences say the same thing
MIN_WORDS, MAX_WORDS = 6, 60
MAX_CJK_CHARS = 160
# News puts its facts first: the TLDR is drawn from the opening sentences only, which also
# keeps the quadratic centrality cheap on long pages.
MAX_SENTENCES = 40
HEADLINE_WORDS = 25
BULLET_WORDS = 25
# The whole TLDR is read at a glance: about the length of a news site's highlights box
# (three or four short sentences). Bullets are added while they fit.
TLDR_WORDS = 60
CJK_CHARS_PER_WORD = 2  # CJK has no spaces: budgets count characters, two to a "word"

_BOILERPLATE = re.compile(
    r"^(?:scroll down|click here|read more|related:|sign up|subscribe|follow us|share this|"
    r"advertisement|image:|photo:|source:|disclaimer|copyright|all rights reserved|"
    r"the post .+ appeared first on|last updated\b|updated:|published:)",
    re.I,
)
# A byline: "By Jane Doe and John Roe, Reuters" (names only, nothing reported).
_BYLINE = re.compile(r"^(?:by|BY|By)[\s.]+(?:(?:[A-Z][\w.'’-]*|and|&|for)[\s,|.]*){1,8}$")
_URL = re.compile(r"https?://|www\.\w")
_ENDS_SENTENCE = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@dataclass(frozen=True)
class Scored:
    """A candidate sentence with its vector and score (and source, in stories)."""

    sentence: Sentence
    vector: Vector
    score: float
    source: str = ""
    lang: str | None = None

    @cached_property
    def bullet(self) -> str:
        """The sentence as a bullet: trimmed, then shortened towards ``BULLET_WORDS``."""
        trimmed = trim_sentence(self.sentence.text, self.lang)
        return shorten(drop_asides(trimmed, BULLET_WORDS, self.lang), BULLET_WORDS)

    @cached_property
    def length(self) -> int:
        """The bullet's length in words (CJK: characters over ``CJK_CHARS_PER_WORD``)."""
        return text_length(self.bullet)


def extractive_tldr(title: str, text: str, lang: str | None = None) -> Tldr:
    """Headline and 3–5 bullets made of whole source sentences (fewer for short texts)."""
    ranked = rank_sentences(text, lang, title)
    if not ranked:
        return Tldr(title.strip(), (), "extractive")
    chosen = select(ranked, MAX_BULLETS, budget=TLDR_WORDS)
    chosen.sort(key=lambda s: s.sentence.index)
    best = max(ranked, key=lambda s: s.score)
    return Tldr(shorten(best.bullet, HEADLINE_WORDS), tuple(s.bullet for s in chosen), "extractive")


def rank_sentences(text: str, lang: str | None, title: str = "") -> list[Scored]:
    """Candidate sentences of ``text``, scored by directed centrality plus a lead prior."""
    sentences = split_sentences(text, MAX_SENTENCES)
    title_key = " ".join(title.split()).casefold()
    picked = [s for s in sentences if _is_candidate(s.text, title_key)]
    if not picked:  # a short or odd text: every sentence is better than none
        picked = [s for s in sentences if s.text.casefold() != title_key][:3]
    vectors = tfidf_vectors([content_tokens(s.text, lang) for s in picked])
    centrality = _directed_centrality(vectors)
    return [
        Scored(sentence, vectors[k], centrality[k] + LEAD_WEIGHT / (1 + k / LEAD_SPAN), lang=lang)
        for k, sentence in enumerate(picked)
    ]


def select(
    ranked: Sequence[Scored],
    count: int,
    *,
    budget: int | None = None,
    prefer_new_source: bool = False,
) -> list[Scored]:
    """Maximal marginal relevance: the best sentence, then the best that adds something new.

    With a ``budget`` (words), a bullet that would overrun it is passed over once
    ``MIN_BULLETS`` are chosen. With ``prefer_new_source``, a source already quoted waits
    until every other source has had its turn.
    """
    chosen: list[Scored] = []
    pool = list(range(len(ranked)))
    overlap = [0.0] * len(ranked)  # each candidate's highest similarity to a chosen one
    words = 0
    while pool and len(chosen) < count:
        used = {s.source for s in chosen}
        fresh = [i for i in pool if ranked[i].source not in used] if prefer_new_source else []
        best = max(
            fresh or pool,
            key=lambda i: MMR_LAMBDA * ranked[i].score - (1 - MMR_LAMBDA) * overlap[i],
        )
        pool.remove(best)
        candidate = ranked[best]
        if overlap[best] >= DUPLICATE_SIMILARITY:
            continue
        if budget is not None and len(chosen) >= MIN_BULLETS:
            if budget - words < MIN_WORDS:
                break
            if words + candidate.length > budget:
                continue
        chosen.append(candidate)
        words += candidate.length
        for i in pool:
            overlap[i] = max(overlap[i], cosine(ranked[i].vector, candidate.vector))
    return chosen


def text_length(text: str) -> int:
    """Length in words; CJK characters count ``CJK_CHARS_PER_WORD`` to a word."""
    cjk = len(_CJK.findall(text))
    return len(_CJK.sub(" ", text).split()) + math.ceil(cjk / CJK_CHARS_PER_WORD)


def tfidf_vectors(documents: Sequence[Sequence[str]]) -> list[Vector]:
    """Unit-length TF-IDF vectors, with the documents themselves as the IDF corpus."""
    frequency = Counter(token for tokens in documents for token in set(tokens))
    total = len(documents)
    vectors = []
    for tokens in documents:
        weights = {
            token: (1 + math.log(count)) * math.log((total + 1) / (frequency[token] + 0.5))
            for token, count in Counter(tokens).items()
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        vectors.append({token: w / norm for token, w in weights.items()})
    return vectors


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(token, 0.0) for token, weight in a.items())


def _directed_centrality(vectors: Sequence[Vector]) -> list[float]:
    """PacSum: edges to later sentences count for, edges to earlier ones against; in [0, 1].

    Similarities are summed token by token over an inverted index: sentences share few
    content words, so this is much cheaper than a cosine for every pair.
    """
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for i, vector in enumerate(vectors):
        for token, weight in vector.items():
            postings[token].append((i, weight))
    scores = [0.0] * len(vectors)
    for posting in postings.values():
        for a, (i, weight_i) in enumerate(posting):
            for j, weight_j in posting[a + 1 :]:  # j > i: postings are in sentence order
                similarity = weight_i * weight_j
                scores[i] += FORWARD_WEIGHT * similarity
                scores[j] += BACKWARD_WEIGHT * similarity
    top = max(scores, default=0.0)
    return [max(score, 0.0) / top if top > 0 else 0.0 for score in scores]


def _is_candidate(sentence: str, title_key: str) -> bool:
    """A sentence that can be a bullet: a statement of reasonable length, not page chrome."""
    if _CJK.search(sentence):
        length_ok = 10 <= len(sentence) <= MAX_CJK_CHARS
    else:
        length_ok = MIN_WORDS <= len(sentence.split()) <= MAX_WORDS
    return (
        length_ok
        and not sentence.rstrip("\"'”’»)").endswith(("?", ":", "？", "："))
        and (_ENDS_SENTENCE.search(sentence) is not None or len(sentence.split()) >= 12)
        and not _BOILERPLATE.match(sentence)
        and not _BYLINE.match(sentence)
        and not _URL.search(sentence)
        and " ".join(sentence.split()).casefold() != title_key
    )
