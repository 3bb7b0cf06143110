"""Place a new article among stored ones: an exact copy, a near copy, or an original."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from wirebrief.dedupe.minhash import MIN_SHARED_BANDS, resemblance, shingles, starts_alike
from wirebrief.dedupe.origin import names_as_origin, pick_origin, urls_of
from wirebrief.storage import copies
from wirebrief.storage.articles import PAGE_COLUMNS, PROVENANCE_COLUMNS
from wirebrief.storage.models import Article

# A short text (a teaser, a paywall notice) is not evidence that two pages are one article.
MIN_WORDS_FOR_HASH_MATCH = 50


@dataclass(frozen=True)
class Placement:
    """Where a new page went: ``kind`` is original, exact or near."""

    kind: str
    article: Article  # the row that now carries the page (for an exact copy: the existing one)
    origin: Article | None = None  # for a near copy: the origin's article


def place(session: Session, incoming: Article, buckets: list[int]) -> Placement:
    """Store ``incoming`` as an original, a near copy pointing at its origin, or a sighting."""
    exact = _exact_copy(session, incoming)
    if exact is not None:
        _add_sighting(session, exact.id, incoming)
        root = _root(session, exact)  # the stored row may itself be a near copy
        origin, _ = pick_origin(incoming, {incoming.url}, root, _urls(session, root))
        if origin is incoming:
            _promote(exact, incoming)
            if root is not exact:  # the row now stands for the origin: the family points here
                _repoint(session, root, exact)
        else:
            _keep_longer_provenance(session, exact, incoming)
        return Placement("exact", exact)

    session.add(incoming)
    session.flush()
    _add_sighting(session, incoming.id, incoming)
    copies.save_buckets(session, incoming.id, buckets)
    if len(incoming.text.split()) < MIN_WORDS_FOR_HASH_MATCH:
        return Placement("original", incoming)  # a teaser or a notice is no evidence of a copy
    match = _near_copy(session, incoming, buckets)
    if match is None:
        return Placement("original", incoming)
    root = _root(session, match)
    incoming_urls, root_urls = _urls(session, incoming), _urls(session, root)
    origin, _ = pick_origin(incoming, incoming_urls, root, root_urls)
    if (
        origin is not incoming
        and not names_as_origin(incoming, root, root_urls)
        and _family_names_as_origin(session, root, incoming, incoming_urls)
    ):
        origin = incoming  # a copy in the family says the newcomer published it first
    if origin is incoming:  # the newcomer is the original: everything re-points to it
        _repoint(session, root, incoming)
    else:
        incoming.duplicate_of = root.id
    incoming.story_id = root.story_id
    return Placement("near", incoming, origin)


def _repoint(session: Session, old_root: Article, new_root: Article) -> None:
    """Make ``new_root`` the origin of ``old_root``'s family (``old_root`` included)."""
    session.execute(
        update(Article)
        .where(Article.duplicate_of == old_root.id, Article.id != new_root.id)
        .values(duplicate_of=new_root.id)
    )
    old_root.duplicate_of = new_root.id
    new_root.duplicate_of = None
    new_root.story_id = new_root.story_id or old_root.story_id


def _exact_copy(session: Session, incoming: Article) -> Article | None:
    found = copies.find_exact_copy(
        session, url=incoming.url, canonical_url=incoming.canonical_url,
        content_hash=incoming.content_hash,
    )  # fmt: skip
    if found is None:
        return None
    same_canonical = incoming.canonical_url not in (None, incoming.url) and (
        found.canonical_url == incoming.canonical_url
    )
    if same_canonical or len(incoming.text.split()) >= MIN_WORDS_FOR_HASH_MATCH:
        return found
    return None


def _near_copy(session: Session, incoming: Article, buckets: list[int]) -> Article | None:
    """The most similar stored article that the exact shingle sets confirm as a copy.

    Candidates are read most shared buckets first; once one member of a family (an origin
    and its copies) is confirmed, the family's other members are not read: a page that
    arrives late finds many of its family stored, and reading them all would make each
    new page slower as families fill up.
    """
    found = copies.candidates(session, buckets, exclude_id=incoming.id, min_shared=MIN_SHARED_BANDS)
    if not found:
        return None
    mine = shingles(incoming.text)
    confirmed: set[int] = set()
    best: tuple[float, Article] | None = None
    for article_id, family in found:
        if family in confirmed:
            continue
        candidate = session.get(Article, article_id)
        if candidate is None:
            continue
        score = resemblance(mine, shingles(candidate.text))
        if not score.is_copy and not starts_alike(incoming.text, candidate.text):
            continue
        confirmed.add(family)
        if best is None or score.containment > best[0]:
            best = (score.containment, candidate)
    return best[1] if best else None


def _family_names_as_origin(
    session: Session, root: Article, incoming: Article, incoming_urls: set[str]
) -> bool:
    """True when a copy in ``root``'s family names ``incoming`` as where it first appeared:
    provenance stated by any copy counts, not only by the root (which may be a copy that
    states none)."""
    stated = session.scalars(
        select(Article).where(
            Article.duplicate_of == root.id,
            Article.id != incoming.id,
            or_(Article.origin_name.is_not(None), Article.origin_url.is_not(None)),
        )
    )
    return any(names_as_origin(copy, incoming, incoming_urls) for copy in stated)


def _root(session: Session, article: Article) -> Article:
    """Follow ``duplicate_of`` to the origin (bounded: chains are short, cycles impossible)."""
    seen = {article.id}
    while article.duplicate_of is not None and article.duplicate_of not in seen:
        parent = session.get(Article, article.duplicate_of)
        if parent is None:
            break
        seen.add(parent.id)
        article = parent
    return article


def _urls(session: Session, article: Article) -> set[str]:
    if article.id is None:
        return urls_of(article, [])
    return urls_of(article, [s.url for s in copies.sightings_of(session, article.id)])


def _add_sighting(session: Session, article_id: int, page: Article) -> None:
    copies.add_sighting(
        session, article_id, page.url, source_id=page.source_id, site_name=page.site_name,
        published_at=page.published_at,
    )  # fmt: skip


def _promote(stored: Article, original: Article) -> None:
    """The stored row now stands for the original page; its old URL stays a sighting."""
    for name in (*PAGE_COLUMNS, *PROVENANCE_COLUMNS):
        setattr(stored, name, getattr(original, name))


def _keep_longer_provenance(session: Session, stored: Article, copy: Article) -> None:
    """A sighting that names more of the way back to the origin (a repost of a repost) lends
    the stored row its provenance, so a later page can still be recognised as the origin;
    not when it names the stored row itself."""
    if len(_chain(copy)) <= len(_chain(stored)):
        return
    if names_as_origin(copy, stored, _urls(session, stored)):
        return
    for name in PROVENANCE_COLUMNS:
        setattr(stored, name, getattr(copy, name))


def _chain(article: Article) -> list[dict[str, str | None]]:
    """The named way back to the origin, nearest copy first (just the origin if no chain)."""
    if article.origin_chain:
        return article.origin_chain
    if article.origin_name or article.origin_url:
        return [{"name": article.origin_name, "url": article.origin_url}]
    return []
