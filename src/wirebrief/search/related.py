"""Related stories ("You May Also Like"): computed when an article is stored, read on view.

An article is a weighted bag of its strongest terms (``search.terms``, weighed by the page
stages), stored as postings (``article_terms``). A new article finds candidates by reading
the newest postings of each of its terms and of each of its assets (bounded index range
scans, never a corpus scan), scores them by term cosine plus shared assets, discounted by
distance in time, and keeps the best article of each other story. Neighbours that now have
a better match get the new article in their own lists, so older articles learn of newer
coverage (every candidate it fits, so an article's list is the same whatever order they
came in).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from wirebrief.search.terms import TermVector, term_vector, tldr_text
from wirebrief.storage import families
from wirebrief.storage import related as store
from wirebrief.storage.models import Article
from wirebrief.storage.related import Candidate

SHOWN = 6
# Kept per article: more than shown, so hidden articles and merged stories leave no gap.
STORED = 10
POSTINGS_PER_TERM = 100
POSTINGS_PER_ASSET = 100
SCORED_CANDIDATES = 50
MIN_SCORE = 0.05
ASSET_SHARE = 0.25  # of the score that comes from shared assets; the rest from terms
HALF_LIFE_DAYS = 14.0


@dataclass(frozen=True)
class Related:
    """An article to offer after another, and how well it fits."""

    article: Article
    score: float


def update_related(
    session: Session, article: Article, terms: TermVector | None = None
) -> list[int]:
    """Store ``article``'s terms and related list, and offer it to its best neighbours.

    Returns the related article ids, best first. Call after the article is flushed and
    placed in its story (its ``story_id`` and asset links are known). ``terms``, weighed by
    the page stages, are used when they were weighed from the article's title and TLDR.
    """
    tldr = _tldr_text(article)
    if terms is not None and terms.fits(article.title, tldr):
        vector = terms.weights
    else:
        vector = term_vector(article.title, article.text, tldr, article.lang)
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
    best = _one_per_story(scored, {cid: found[cid].story for cid in scored}, STORED)
    # Offered to every candidate it fits, not only to its own best: A, stored first, then
    # gets B whenever B would be in A's list had B come first (same list in every order).
    offered = _offer_to_neighbours(session, me, {c: s for c, s in scored.items() if s >= MIN_SCORE})
    store.save_related(session, {**offered, article.id: best})  # one delete, one insert
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
    scored: dict[int, float], story_of: dict[int, int], limit: int
) -> dict[int, float]:
    """The best-scoring article of each story (``story_of``: article → story key), best
    first, at most ``limit``."""
    best: dict[int, tuple[float, int]] = {}
    for cid, score in scored.items():
        if score < MIN_SCORE:
            continue
        story = story_of[cid]
        if story not in best or (score, cid) > best[story]:
            best[story] = (score, cid)
    ranked = sorted(best.values(), reverse=True)[:limit]
    return {cid: score for score, cid in ranked}


def _offer_to_neighbours(
    session: Session, me: Candidate, neighbours: dict[int, float]
) -> dict[int, dict[int, float]]:
    """The lists of the neighbours that take the new article in (it beats what is there),
    with it, to be saved."""
    if not neighbours:
        return {}
    lists = store.related_scores(session, neighbours)
    # A full list whose weakest entry beats the new article cannot take it in.
    neighbours = {
        n: score for n, score in neighbours.items()
        if len(lists.get(n, {})) < STORED or score >= min(lists[n].values())
    }  # fmt: skip
    if not neighbours:
        return {}
    listed = {rid for n in neighbours for rid in lists.get(n, {})}
    # Only the story keys: the listed scores are stored, so no time is read (or converted).
    story_of = {**store.story_keys(session, listed | set(neighbours)), me.id: me.story}
    changed: dict[int, dict[int, float]] = {}
    for neighbour, score in neighbours.items():
        current = dict(lists.get(neighbour, {}))
        current[me.id] = score
        updated = _one_per_story(
            {rid: s for rid, s in current.items()
             if rid in story_of and story_of[rid] != story_of[neighbour]},
            story_of,
            STORED,
        )  # fmt: skip
        if me.id in updated:
            changed[neighbour] = updated
    return changed


def _tldr_text(article: Article) -> str:
    bullets = article.tldr_bullets if isinstance(article.tldr_bullets, list) else None
    return tldr_text(article.tldr_headline, bullets)
