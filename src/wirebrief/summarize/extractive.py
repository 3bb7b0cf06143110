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

from wirebrief.summarize.boilerplate import boilerplate_kind
from wirebrief.summarize.language import content_tokens
from wirebrief.summarize.sentences import Sentence, split_sentences
from wirebrief.summarize.tldr import MAX_BULLETS, MIN_BULLETS, Tldr
from wirebrief.summarize.trim import HEADLINE_BREAK, drop_asides, pairs_up, shorten, trim_sentence

Vector = dict[str, float]

# Weights of PacSum's directed centrality (earlier and later edges) and of the lead prior.
BACKWARD_WEIGHT = -0.5
FORWARD_WEIGHT = 1.0
LEAD_WEIGHT = 3.0
LEAD_SPAN = 2.0  # candidates over which the lead prior halves: the opening paragraph
MMR_LAMBDA = 0.7  # relevance vs. novelty when picking the next bullet
DUPLICATE_SIMILARITY = 0.5  # cosine at or above which two sentences say the same thing
# A bullet this close to the headline's sentence or title restates it (a headline is
# shorter than a sentence, so this is lower; chosen on the dev halves of the DOJ releases
# and CNN/DM from 0.1–0.4).
HEADLINE_REPEAT_SIMILARITY = 0.2
MIN_WORDS, MAX_WORDS = 6, 60
MAX_CJK_CHARS = 160
# News puts its facts first: the TLDR is drawn from the opening sentences only, which also
# keeps the quadratic centrality cheap on long pages.
MAX_SENTENCES = 40
# The headline is one short line (it stands under the title on home and in feeds): the best
# of the first few candidates that can be cut to it, else the article's own title.
HEADLINE_WORDS = 20  # what deletion aims for
HEADLINE_MAX_WORDS = 24  # what a sentence may keep and still be the headline
HEADLINE_CANDIDATES = 3
BULLET_WORDS = 25
# The whole TLDR, headline included, is read at a glance: about the length of a news
# site's highlights box (three or four short sentences). Bullets are added while they fit.
TLDR_WORDS = 60
CJK_CHARS_PER_WORD = 2  # CJK has no spaces: budgets count characters, two to a "word"

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
    def headline(self) -> str:
        """The sentence as a headline: trimmed, asides dropped and shortened towards
        ``HEADLINE_WORDS`` (it may still be longer)."""
        trimmed = trim_sentence(self.sentence.text, self.lang)
        shorter = drop_asides(trimmed, HEADLINE_WORDS, self.lang)
        return shorten(shorter, HEADLINE_WORDS, HEADLINE_BREAK)

    @cached_property
    def length(self) -> int:
        """The bullet's length in words (CJK: characters over ``CJK_CHARS_PER_WORD``)."""
        return text_length(self.bullet)


def extractive_tldr(title: str, text: str, lang: str | None = None) -> Tldr:
    """A short headline and 3–5 bullets made of source sentences (fewer for short texts);
    no bullet repeats the headline."""
    ranked, title_vector = rank_with_title(text, lang, title)
    if not ranked:
        return Tldr(title.strip(), (), "extractive")
    title = " ".join(title.split())
    lead = pick_headline(ranked, title)
    headline = lead.headline if lead is not None else title
    said = lead.vector if lead is not None else title_vector
    budget = TLDR_WORDS - text_length(headline)
    chosen = select_after_headline(ranked, lead, said, MAX_BULLETS, budget=budget)
    if not chosen and lead is not None and title:  # one thing to say: the title heads it
        return Tldr(title, (lead.bullet,), "extractive")
    chosen.sort(key=lambda s: s.sentence.index)
    return Tldr(headline, tuple(s.bullet for s in chosen), "extractive")


def select_after_headline(
    ranked: Sequence[Scored],
    lead: Scored | None,
    said: Vector,
    count: int,
    *,
    budget: int | None = None,
    prefer_new_source: bool = False,
) -> list[Scored]:
    """The bullets under a headline made of ``lead`` (or of the title, whose vector is
    ``said``): none restating it, unless a short text leaves too few others; then near
    repeats. Never the headline's own sentence: a short text gets fewer bullets."""
    others = [s for s in ranked if s is not lead]
    fresh = [s for s in others if cosine(s.vector, said) < HEADLINE_REPEAT_SIMILARITY]
    wanted = min(MIN_BULLETS, count)
    for pool, known in ((fresh, [said]), (others, [said])):
        chosen = select(pool, count, budget=budget, prefer_new_source=prefer_new_source,
                        said=known)  # fmt: skip
        if len(chosen) >= wanted:
            break
    return chosen


def pick_headline(ranked: Sequence[Scored], title: str = "") -> Scored | None:
    """The sentence the headline is made of, or ``None`` for the article's own ``title``.

    The best sentence when deletion brings it within ``HEADLINE_MAX_WORDS``; else the title
    when it is that short; else the next best of the top ``HEADLINE_CANDIDATES`` that fits;
    else the title, however long, and without one the best sentence as short as it gets.
    """
    best = sorted(ranked, key=lambda s: -s.score)[:HEADLINE_CANDIDATES]
    if not best or text_length(best[0].headline) <= HEADLINE_MAX_WORDS:
        return best[0] if best else None
    if title and text_length(title) <= HEADLINE_MAX_WORDS:
        return None
    fitting = next((s for s in best if text_length(s.headline) <= HEADLINE_MAX_WORDS), None)
    return fitting or (None if title else best[0])


def rank_sentences(text: str, lang: str | None, title: str = "") -> list[Scored]:
    """Candidate sentences of ``text``, scored by directed centrality plus a lead prior."""
    return rank_with_title(text, lang, title)[0]


def rank_with_title(text: str, lang: str | None, title: str = "") -> tuple[list[Scored], Vector]:
    """The ranked candidates and the title's vector in the same TF-IDF space."""
    sentences = split_sentences(text, MAX_SENTENCES)
    title_key = " ".join(title.split()).casefold()
    picked = [s for s in sentences if _is_candidate(s.text, title_key, lang)]
    if not picked:  # a short or odd text: every sentence is better than none
        picked = [s for s in sentences if s.text.casefold() != title_key][:3]
    vectors = tfidf_vectors([content_tokens(s.text, lang) for s in picked],
                            extra=[content_tokens(title, lang)])  # fmt: skip
    title_vector = vectors.pop()
    centrality = _directed_centrality(vectors)
    ranked = [
        Scored(sentence, vectors[k], centrality[k] + LEAD_WEIGHT / (1 + k / LEAD_SPAN), lang=lang)
        for k, sentence in enumerate(picked)
    ]
    return ranked, title_vector


def select(
    ranked: Sequence[Scored],
    count: int,
    *,
    budget: int | None = None,
    prefer_new_source: bool = False,
    said: Sequence[Vector] = (),
) -> list[Scored]:
    """Maximal marginal relevance: the best sentence, then the best that adds something new.

    With a ``budget`` (words), a bullet that would overrun it is passed over once
    ``MIN_BULLETS`` are chosen. With ``prefer_new_source``, a source already quoted waits
    until every other source has had its turn. What is ``said`` already (the headline)
    counts as chosen: nothing that repeats it is picked.
    """
    chosen: list[Scored] = []
    pool = list(range(len(ranked)))
    # each candidate's highest similarity to a chosen one (or to what is said already)
    overlap = [max((cosine(s.vector, v) for v in said), default=0.0) for s in ranked]
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


def tfidf_vectors(
    documents: Sequence[Sequence[str]], extra: Sequence[Sequence[str]] = ()
) -> list[Vector]:
    """Unit-length TF-IDF vectors, with the documents themselves as the IDF corpus; the
    vectors of ``extra`` documents (weighed by that IDF, not counted in it) come last."""
    frequency = Counter(token for tokens in documents for token in set(tokens))
    total = len(documents)
    vectors = []
    for tokens in [*documents, *extra]:
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


def _is_candidate(sentence: str, title_key: str, lang: str | None = None) -> bool:
    """A sentence that can be a bullet: a statement of reasonable length, not page chrome."""
    if _CJK.search(sentence):
        length_ok = 10 <= len(sentence) <= MAX_CJK_CHARS
    else:
        length_ok = MIN_WORDS <= len(sentence.split()) <= MAX_WORDS
    return (
        length_ok
        and not sentence.rstrip("\"'”’»)").endswith(("?", ":", "？", "："))
        and pairs_up(sentence)
        and (_ENDS_SENTENCE.search(sentence) is not None or len(sentence.split()) >= 12)
        and boilerplate_kind(sentence, lang) is None
        and not _BYLINE.match(sentence)
        and not _URL.search(sentence)
        and " ".join(sentence.split()).casefold() != title_key
    )
