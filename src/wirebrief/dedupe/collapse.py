"""Place a new page among stored ones: a family of its own, or a member of a copy family.

Every page keeps its own row, written from its own page only. Placing a page changes
nothing but which family each member belongs to (``duplicate_of``, which points at the
family's origin itself) and the family's story; the origin is chosen again from all the
members (``origin.origin_of``), so the result does not depend on the order pages arrive in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from wirebrief.dedupe.minhash import (
    MIN_SHARED_BANDS,
    paragraph_shingles,
    resemblance,
    starts_alike,
)
from wirebrief.dedupe.origin import origin_of
from wirebrief.storage import copies, removals
from wirebrief.storage import stories as story_store
from wirebrief.storage.models import Article, Story

# A short text (a teaser, a paywall notice) is not evidence that two pages are one article.
MIN_WORDS_FOR_HASH_MATCH = 50


@dataclass(frozen=True)
class Placement:
    """Where a new page went: ``kind`` is original (a family of its own), copy (of the
    family's origin) or origin (it joined a family of copies and is their origin)."""

    kind: str
    article: Article
    origin: Article


def place(session: Session, incoming: Article, buckets: list[int]) -> Placement:
    """Store ``incoming`` in its own row and put it in the family of the pages it copies
    or that copy it (families it links are merged), under the family's origin."""
    session.add(incoming)
    session.flush()
    copies.add_buckets(session, incoming.id, buckets)  # a new row: nothing to replace
    linked = _linked_families(session, incoming, buckets)
    if not linked:
        return Placement("original", incoming, incoming)
    members = _lock_families(session, linked)
    if removals.blocked_urls(session, [member.url for member in members]):
        incoming.hidden = True  # a copy of removed content is stored hidden, so it never shows
    family = [*members, incoming]
    origin = origin_of(family)
    _point_at(session, family, origin)
    return Placement("origin" if origin is incoming else "copy", incoming, origin)


def settle(session: Session, article_ids: Iterable[int]) -> None:
    """Choose the origin of these articles' families again (after some were hidden or shown:
    a family shows under a visible member whenever it has one)."""
    members = copies.family_members(session, copies.families_of(session, article_ids))
    by_family: dict[int, list[Article]] = {}
    for member in members:
        by_family.setdefault(member.duplicate_of or member.id, []).append(member)
    for family in by_family.values():
        origin = origin_of(family)
        if len(family) > 1 and origin.duplicate_of is not None:
            story_id = _point_at(session, family, origin)
            story = session.get(Story, story_id) if story_id is not None else None
            if story is not None:
                story_store.refresh(session, story)


def _linked_families(session: Session, incoming: Article, buckets: list[int]) -> set[int]:
    """The families holding an exact copy (same canonical URL, or same text when it is long
    enough to tell) or a near copy of ``incoming``, in either direction."""
    long_enough = len(incoming.text.split()) >= MIN_WORDS_FOR_HASH_MATCH
    found = copies.exact_families(
        session, url=incoming.url, canonical_url=incoming.canonical_url,
        content_hash=incoming.content_hash, by_hash=long_enough,
    )  # fmt: skip
    if long_enough:  # a teaser or a notice is no evidence of a copy
        found |= _near_copies(session, incoming, buckets, known=found)
    found.discard(incoming.id)
    return found


def _near_copies(
    session: Session, incoming: Article, buckets: list[int], known: set[int]
) -> set[int]:
    """The families of stored articles that the exact shingle sets (or, for a teaser, the
    shared opening) confirm as copies.

    Candidates are read most shared buckets first; once one member of a family is confirmed
    (or the family is ``known`` already), the family's other members are not read: a page
    that arrives late finds many of its family stored, and reading them all would make each
    new page slower as families fill up.
    """
    found = copies.candidates(session, buckets, exclude_id=incoming.id, min_shared=MIN_SHARED_BANDS)
    mine = paragraph_shingles(incoming.text) if found else frozenset()
    confirmed = set(known)
    for article_id, family in found:
        if family in confirmed:
            continue
        candidate = session.get(Article, article_id)
        if candidate is not None and _is_copy(incoming.text, mine, candidate.text):
            confirmed.add(family)
    return confirmed - known


def _is_copy(text: str, text_shingles: frozenset[str], other: str) -> bool:
    """Mostly the same text, or a teaser and its article (one opens with the other's lead)."""
    return resemblance(text_shingles, paragraph_shingles(other)).is_copy or starts_alike(
        text, other
    )


def _lock_families(session: Session, families: set[int]) -> list[Article]:
    """Lock these families (PostgreSQL) and read all their members afresh. A family merged
    into another while this worker waited is followed to its new origin, and locked too."""
    locked: set[int] = set()
    wanted = set(families)
    while True:
        copies.lock_families(session, wanted - locked)
        locked |= wanted
        members = copies.family_members(session, locked)
        wanted = {member.duplicate_of or member.id for member in members}
        if wanted <= locked:
            return members


def _point_at(session: Session, family: list[Article], origin: Article) -> int | None:
    """Every member points at ``origin`` and sits in one story: the origin's, else the one
    most members are in (returned). Stories that members left are recounted."""
    stories = Counter(m.story_id for m in family if m.story_id is not None)
    story_id = origin.story_id
    if story_id is None and stories:
        story_id = min(stories, key=lambda s: (-stories[s], s))
    for member in family:
        member.duplicate_of = None if member is origin else origin.id
        if story_id is not None:
            member.story_id = story_id
    session.flush()
    for left in sorted(s for s in stories if s != story_id):
        story = session.get(Story, left)
        if story is not None:
            story_store.refresh(session, story)
    return story_id
