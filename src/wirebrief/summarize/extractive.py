"""The default summarizer: whole source sentences, picked by position-aware centrality.

Sentences are TF-IDF vectors; a sentence is central when later sentences repeat its
content and earlier ones do not (PacSum's directed centrality: news states the point
first and elaborates after). A lead prior is added, then bullets are picked by maximal
marginal relevance so no two say the same thing, and trimmed (``trim.py``).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from wirebrief.summarize.language import content_tokens
from wirebrief.summarize.sentences import Sentence, split_sentences
from wirebrief.summarize.tldr import MAX_BULLETS, MIN_BULLETS, Tldr
from wirebrief.summarize.trim import trim_sentence

Vector = dict[str, float]

# Weights of PacSum's directed centrality (earlier and later edges) and of the lead prior.
BACKWARD_WEIGHT = -0.5
FORWARD_WEIGHT = 1.0
LEAD_WEIGHT = 2.0
MMR_LAMBDA = 0.7  # relevance vs. novelty when picking the next bullet
DUPLICATE_SIMILARITY = 0.5  # cosine at or above which two sentences say the same thing
MIN_WORDS, MAX_WORDS = 6, 60
MAX_CJK_CHARS = 160
MAX_SENTENCES = 200  # the lead carries news; centrality over a long tail only costs time
HEADLINE_WORDS = 25
BULLET_WORDS = 30

_BOILERPLATE = re.compile(
    r"^(?:scroll down|click here|read more|related:|sign up|subscribe|follow us|share this|"
    r"advertisement|image:|photo:|source:|disclaimer|copyright|all rights reserved|"
    r"the post .+ appeared first on)",
    re.I,
)
_URL = re.compile(r"https?://|www\.\w")
_ENDS_SENTENCE = re.compile(r"[.!?…。！？][\"'”’»)\]]*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# Where a long sentence may end early without changing what the kept part says ("but" and
# "although" clauses qualify the claim, so they are never cut).
_CLAUSE_BREAK = re.compile(
    r"\s[-–—]\s|;\s|,\s(?=(?:which|who|after|while|as|when)\s|[a-z]{3,}ing\s)"
)


@dataclass(frozen=True)
class Scored:
    """A candidate sentence with its bullet text, vector and score (and source, in stories)."""

    sentence: Sentence
    bullet: str
    vector: Vector
    score: float
    source: str = ""


def extractive_tldr(title: str, text: str, lang: str | None = None) -> Tldr:
    """Headline and 3–5 bullets made of whole source sentences (fewer for short texts)."""
    ranked = rank_sentences(text, lang, title)
    if not ranked:
        return Tldr(title.strip(), (), "extractive")
    chosen = select(ranked, bullet_count(len(ranked)))
    chosen.sort(key=lambda s: s.sentence.index)
    best = max(ranked, key=lambda s: s.score)
    return Tldr(shorten(best.bullet, HEADLINE_WORDS), tuple(s.bullet for s in chosen), "extractive")


def bullet_count(candidates: int) -> int:
    """Three bullets; four or five for long articles."""
    wanted = MIN_BULLETS + (candidates >= 30) + (candidates >= 60)
    return min(wanted, MAX_BULLETS, candidates)


def rank_sentences(text: str, lang: str | None, title: str = "") -> list[Scored]:
    """Candidate sentences of ``text``, scored by directed centrality plus a lead prior."""
    sentences = split_sentences(text)[:MAX_SENTENCES]
    vectors = tfidf_vectors([content_tokens(s.text, lang) for s in sentences])
    title_key = " ".join(title.split()).casefold()
    picked = [i for i, s in enumerate(sentences) if _is_candidate(s.text, title_key)]
    if not picked:  # a short or odd text: every sentence is better than none
        picked = [i for i, s in enumerate(sentences) if s.text.casefold() != title_key][:3]
    centrality = _directed_centrality([vectors[i] for i in picked])
    return [
        Scored(
            sentences[i],
            shorten(trim_sentence(sentences[i].text, lang), BULLET_WORDS),
            vectors[i],
            centrality[k] + LEAD_WEIGHT / (1 + k),
        )
        for k, i in enumerate(picked)
    ]


def select(
    ranked: Sequence[Scored], count: int, *, prefer_new_source: bool = False
) -> list[Scored]:
    """Maximal marginal relevance: the best sentence, then the best that adds something new.

    With ``prefer_new_source``, a source already quoted waits until every other source has
    had its turn.
    """
    chosen: list[Scored] = []
    pool = list(ranked)
    while pool and len(chosen) < count:
        used = {s.source for s in chosen}
        fresh = [s for s in pool if s.source not in used] if prefer_new_source else []
        best = max(fresh or pool, key=lambda s: _marginal_relevance(s, chosen))
        pool.remove(best)
        if _overlap(best, chosen) < DUPLICATE_SIMILARITY:
            chosen.append(best)
    return chosen


def shorten(sentence: str, max_words: int) -> str:
    """The sentence, ended at its last clause break within ``max_words`` when it is longer."""
    if len(sentence.split()) <= max_words:
        return sentence
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(sentence)]
    fitting = [b for b in breaks if 8 <= len(sentence[:b].split()) <= max_words]
    if not fitting:
        return sentence
    return sentence[: fitting[-1]].rstrip(" ,;:-–—") + "."


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


def _marginal_relevance(candidate: Scored, chosen: Sequence[Scored]) -> float:
    return MMR_LAMBDA * candidate.score - (1 - MMR_LAMBDA) * _overlap(candidate, chosen)


def _overlap(candidate: Scored, chosen: Sequence[Scored]) -> float:
    return max((cosine(candidate.vector, other.vector) for other in chosen), default=0.0)


def _directed_centrality(vectors: Sequence[Vector]) -> list[float]:
    """PacSum: edges to later sentences count for, edges to earlier ones against; in [0, 1]."""
    count = len(vectors)
    scores = [0.0] * count
    for i in range(count):
        for j in range(i + 1, count):
            similarity = cosine(vectors[i], vectors[j])
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
        and not _URL.search(sentence)
        and " ".join(sentence.split()).casefold() != title_key
    )
