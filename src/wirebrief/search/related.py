"""Related stories ("You May Also Like"): computed when an article is stored, read on view.

An article is a weighted bag of its strongest terms: sublinear term frequency times word
rarity (wordfreq's offline lists stand in for IDF, as in ``stories.features``, so weights
never drift as the corpus grows), title words counting three times. Its terms are stored
as postings (``article_terms``). A new article finds candidates by reading the newest
postings of each of its terms and of each of its assets (bounded index range scans, never
a corpus scan), scores them by term cosine plus shared assets, discounted by distance in
time, and keeps the best article of each other story. Neighbours that now have a better
match get the new article in their own lists, so older articles learn of newer coverage
(every candidate it fits, so an article's list is the same whatever order they came in).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from wirebrief.search.query import words_of
from wirebrief.storage import families
from wirebrief.storage import related as store
from wirebrief.storage.models import Article
from wirebrief.storage.related import Candidate
from wirebrief.stories.features import TITLE_WEIGHT, normalise, top
from wirebrief.stories.lexicon import lexicon, stem

SHOWN = 6
# Kept per article: more than shown, so hidden articles and merged stories leave no gap.
STORED = 10
TERMS_PER_ARTICLE = 24
POSTINGS_PER_TERM = 100
POSTINGS_PER_ASSET = 100
SCORED_CANDIDATES = 50
MIN_SCORE = 0.05
ASSET_SHARE = 0.25  # of the score that comes from shared assets; the rest from terms
HALF_LIFE_DAYS = 14.0
MAX_TEXT_CHARS = 20_000  # the top of a long article says what it is about


@dataclass(frozen=True)
class Related:
    """An article to offer after another, and how well it fits."""

    article: Article
    score: float


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


def update_related(session: Session, article: Article) -> list[int]:
    """Store ``article``'s terms and related list, and offer it to its best neighbours.

    Returns the related article ids, best first. Call after the article is flushed and
    placed in its story (its ``story_id`` and asset links are known).
    """
    vector = term_vector(article.title, article.text, _tldr_text(article), article.lang)
    store.save_terms(session, article.id, vector)
    if article.hidden:
        store.save_related(session, {article.id: {}})
        return []
    me = Candidate(
        article.id,
        store.story_key(article.story_id, article.family),
        article.published_at or article.fetched_at,
        False,
    )
    my_assets = store.assets_of(session, [article.id]).get(article.id, set())
    pool = store.pool(
        session, vector, my_assets, exclude_id=article.id, per_term=POSTINGS_PER_TERM,
        per_asset=POSTINGS_PER_ASSET, asset_weight=ASSET_SHARE, limit=SCORED_CANDIDATES,
    )  # fmt: skip
    found = store.candidates(session, pool)
    content = store.dot_products(session, vector, pool)
    their_assets = store.assets_of(session, pool)
    scored = {
        cid: _score(content.get(cid, 0.0), my_assets, their_assets.get(cid, set()), me, found[cid])
        for cid in pool
        if cid in found and not found[cid].hidden and found[cid].story != me.story
    }
    best = _one_per_story(scored, found, STORED)
    store.save_related(session, {article.id: best})
    # Offered to every candidate it fits, not only to its own best: A, stored first, then
    # gets B whenever B would be in A's list had B come first (same list in every order).
    _offer_to_neighbours(session, me, {c: s for c, s in scored.items() if s >= MIN_SCORE})
    return list(best)


def related_for(session: Session, article: Article, limit: int = SHOWN) -> list[Related]:
    """Up to ``limit`` related stories of ``article``: never its own, never one twice, each
    as its copy family's origin (a copy stored as related links to its original)."""
    own = store.story_key(article.story_id, article.family)
    seen = {own}
    out = []
    stored = store.related_articles(session, article.id)
    for origin, (_, score) in families.one_per_family(session, stored, lambda row: row[0]):
        key = store.story_key(origin.story_id, origin.family)
        if key in seen:
            continue
        seen.add(key)
        out.append(Related(origin, score))
        if len(out) == limit:
            break
    return out


def _score(
    content: float, my_assets: set[int], their_assets: set[int], me: Candidate, them: Candidate
) -> float:
    """Term cosine (``content``, of unit vectors) and shared assets, discounted by distance
    in time (half at 14 days)."""
    union = my_assets | their_assets
    assets = len(my_assets & their_assets) / len(union) if union else 0.0
    days = abs((me.at - them.at).total_seconds()) / 86400.0
    recency = 0.5 + 0.5 * 0.5 ** (days / HALF_LIFE_DAYS)
    return ((1.0 - ASSET_SHARE) * content + ASSET_SHARE * assets) * recency


def _one_per_story(
    scored: dict[int, float], found: dict[int, Candidate], limit: int
) -> dict[int, float]:
    """The best-scoring article of each story, best first, at most ``limit``."""
    best: dict[int, tuple[float, int]] = {}
    for cid, score in scored.items():
        if score < MIN_SCORE:
            continue
        story = found[cid].story
        if story not in best or (score, cid) > best[story]:
            best[story] = (score, cid)
    ranked = sorted(best.values(), reverse=True)[:limit]
    return {cid: score for score, cid in ranked}


def _offer_to_neighbours(session: Session, me: Candidate, neighbours: dict[int, float]) -> None:
    """Put the new article into each neighbour's list when it beats what is there."""
    if not neighbours:
        return
    lists = store.related_scores(session, neighbours)
    # A full list whose weakest entry beats the new article cannot take it in.
    neighbours = {
        n: score for n, score in neighbours.items()
        if len(lists.get(n, {})) < STORED or score >= min(lists[n].values())
    }  # fmt: skip
    if not neighbours:
        return
    listed = {rid for n in neighbours for rid in lists.get(n, {})}
    found = store.candidates(session, listed | set(neighbours))
    changed: dict[int, dict[int, float]] = {}
    for neighbour, score in neighbours.items():
        current = dict(lists.get(neighbour, {}))
        current[me.id] = score
        found_here = {**found, me.id: me}
        updated = _one_per_story(
            {rid: s for rid, s in current.items()
             if rid in found_here and found_here[rid].story != found[neighbour].story},
            found_here,
            STORED,
        )  # fmt: skip
        if me.id in updated:
            changed[neighbour] = updated
    store.save_related(session, changed)


def _tldr_text(article: Article) -> str:
    bullets = article.tldr_bullets if isinstance(article.tldr_bullets, list) else []
    return " ".join([article.tldr_headline or "", *map(str, bullets)])


def _hash(key: str) -> int:
    """A stable signed 64-bit id for a term (fits BIGINT on every engine)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
