"""The store stage: one processed page into the database, in one transaction.

``STORE_STEPS`` is the order. The placement steps decide what the page is (removed, a
known URL, a copy, an original in a story): the first step that names an outcome ends
placement. The record steps then run whatever the outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from wirebrief.article import ArticleDraft
from wirebrief.dedupe.collapse import Placement, place
from wirebrief.markets import catalog
from wirebrief.search.indexing import index_stored
from wirebrief.storage import articles as article_store
from wirebrief.storage import copies, reading, removals
from wirebrief.storage.articles import StoreOutcome
from wirebrief.storage.models import Article
from wirebrief.stories.assign import assign_story
from wirebrief.stories.features import StoryFeatures
from wirebrief.summarize import tldr_columns


@dataclass
class Storing:
    """One page going through the store steps."""

    draft: ArticleDraft
    incoming: Article  # the row the page would become; a placement step may store it
    # The row stored for the page's URL, once a placement step found or stored it (found
    # once per page: the record steps use it); None for a page that is not stored.
    article: Article | None = None
    placement: Placement | None = None  # where the new row went, once collapse stored it


PlaceStep = Callable[[Session, Storing], StoreOutcome | None]
RecordStep = Callable[[Session, Storing, StoreOutcome], None]


def lock_copies(session: Session, page: Storing) -> None:
    """Copies stored at once take turns (PostgreSQL advisory locks on the page's band
    buckets, canonical URL and text hash): the second finds the first."""
    copies.lock_page(
        session, page.draft.lsh_buckets, page.incoming.canonical_url, page.incoming.content_hash
    )


def skip_removed(session: Session, page: Storing) -> StoreOutcome | None:
    """A page removed on request, or from a blocked source, is not stored."""
    return StoreOutcome.UNCHANGED if removals.is_blocked(session, page.incoming) else None


def store_by_url(session: Session, page: Storing) -> StoreOutcome | None:
    """A URL stored before is brought up to date with this read of its own page."""
    stored = article_store.find_article_by_url(session, page.draft.url)
    if stored is None:
        return None
    page.article = stored
    outcome = article_store.update_article(stored, page.incoming).outcome
    if outcome == StoreOutcome.UPDATED:
        copies.save_buckets(session, stored.id, page.draft.lsh_buckets)
    return outcome


def collapse_copies(session: Session, page: Storing) -> StoreOutcome | None:
    """The page gets its own row, in the family of the pages it copies or that copy it
    (exact or near), under the family's origin."""
    page.placement = place(session, page.incoming, page.draft.lsh_buckets)
    page.article = page.placement.article
    return None


def group_into_story(session: Session, page: Storing) -> StoreOutcome:
    """A new family joins the story it best matches, or starts one; a member of a family
    sits in the family's story."""
    assert page.placement is not None, "collapse_copies stores the article first"
    features = StoryFeatures.from_json(page.draft.story_features or {})
    assign_story(session, page.placement.article, features)
    return StoreOutcome.COPIES if page.placement.kind == "copy" else StoreOutcome.NEW


def store_asset_links(session: Session, page: Storing, outcome: StoreOutcome) -> None:
    """The assets the page is about, on the article stored for its URL."""
    if page.article is not None:
        catalog.store_article_links(session, page.article.id, page.draft.asset_links)


def index_for_search(session: Session, page: Storing, outcome: StoreOutcome) -> None:
    """After the asset links: the search index entry and related stories (with the terms
    the page stages weighed)."""
    if page.article is not None:
        index_stored(session, page.article, outcome, page.draft.related_terms)


def file_for_readers(session: Session, page: Storing, outcome: StoreOutcome) -> None:
    """Last: the page's family in the unread lists of the accounts that follow a source
    carrying it (a new family, a copy another source carries, a new origin, a new time)."""
    stored = page.article
    if outcome == StoreOutcome.UNCHANGED or stored is None:
        return
    new_on = [stored.source_id] if stored.source_id is not None else []
    reading.file_families(session, [stored.family], new_on=new_on)  # placed: the row's family


PLACE_STEPS: tuple[PlaceStep, ...] = (
    lock_copies, skip_removed, store_by_url, collapse_copies, group_into_story,
)  # fmt: skip
RECORD_STEPS: tuple[RecordStep, ...] = (store_asset_links, index_for_search, file_for_readers)
STORE_STEPS: tuple[PlaceStep | RecordStep, ...] = (*PLACE_STEPS, *RECORD_STEPS)


def store_article(session: Session, draft: ArticleDraft) -> StoreOutcome:
    """Run the store steps, in order, on one processed page; say what became of it."""
    page = Storing(draft, to_article(draft))
    outcome = None
    for place_step in PLACE_STEPS:
        outcome = place_step(session, page)
        if outcome is not None:
            break
    assert outcome is not None, "group_into_story always decides"
    for record_step in RECORD_STEPS:
        record_step(session, page, outcome)
    return outcome


def to_article(draft: ArticleDraft) -> Article:
    """The row a processed page becomes."""
    page = draft.extracted
    entry = draft.entry
    return Article(
        source_id=draft.source_id,
        url=draft.url,
        canonical_url=page.canonical_url or draft.url,
        guid=entry.guid if entry else None,
        title=draft.title[:1000],
        author=page.author or (entry.author if entry else None),
        authors=page.authors or ([entry.author] if entry and entry.author else None),
        site_name=page.site_name,
        description=page.description,
        image_url=page.image,
        lang=page.lang,
        published_at=draft.published,
        modified_at=draft.modified,
        text=draft.text,
        html=draft.html,
        reading_minutes=draft.reading_minutes,
        origin_name=draft.origin.name if draft.origin else None,
        origin_url=draft.origin.url if draft.origin else None,
        origin_chain=[{"name": o.name, "url": o.url} for o in draft.origin_chain] or None,
        author_tldr=draft.author_tldr or None,
        content_hash=draft.content_hash,
        entry_fingerprint=entry.fingerprint if entry else None,
        **tldr_columns(draft.tldr),
    )
